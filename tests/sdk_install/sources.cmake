set(RIO_SDK_INSTALL_TEST_SOURCES
  sdk_install/sdk_install_test.cpp)

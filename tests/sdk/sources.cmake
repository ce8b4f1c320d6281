set(RIO_SDK_TEST_SOURCES
  sdk/shell_test.cpp
  sdk/options_test.cpp
  sdk/probe_script_test.cpp
  sdk/error_test.cpp
  sdk/steps_test.cpp)

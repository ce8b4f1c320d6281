# The throwaway loopback host and the four modules installed on it over real SSH (label:
# integration; paths relative to tests/).
set(RIO_SANDBOX_TEST_SOURCES
  sandbox/throwaway_host_test.cpp
  sandbox/sandbox_install_test.cpp)

# The throwaway loopback host, the four modules installed on it over real SSH, and the sshd
# launcher's options (label: integration; paths relative to tests/).
set(RIO_SANDBOX_TEST_SOURCES
  sandbox/throwaway_host_test.cpp
  sandbox/sandbox_install_test.cpp
  sandbox/sshd_launcher_test.cpp)

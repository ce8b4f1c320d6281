# OpenSSH-client transport tests (issue 3 point 7), built into rio_ssh_tests; relative to tests/.
set(RIO_OPENSSH_TEST_SOURCES
  openssh/openssh_exec_test.cpp
  openssh/openssh_host_key_test.cpp
  openssh/openssh_units_test.cpp
  openssh/openssh_upload_test.cpp
  openssh/openssh_user_config_test.cpp)

set(RIO_SSH_TEST_SOURCES
  ssh/auth_and_connect_test.cpp
  ssh/host_key_test.cpp
  ssh/known_hosts_file_test.cpp
  ssh/concurrency_test.cpp
  ssh/exec_stream_test.cpp
  ssh/session_test.cpp
  ssh/sshd_fixture_test.cpp)

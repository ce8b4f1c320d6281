set(RIO_SSH_TEST_SOURCES
  ssh/sshd_fixture_test.cpp
  ssh/session_test.cpp)

# The OpenSSH-client transport (issue 3 point 7); paths relative to kernel/.
set(RIO_OPENSSH_SOURCES
  src/openssh/allow_list.cpp
  src/openssh/child_process.cpp
  src/openssh/config.cpp
  src/openssh/exec.cpp
  src/openssh/openssh_shell.cpp
  src/openssh/ssh_failure.cpp
  src/openssh/supervise.cpp
  src/openssh/upload.cpp)

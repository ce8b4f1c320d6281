# The throwaway loopback host and offline fixture upstreams behind `rio demo` and the
# integration tests (paths relative to kernel/).
set(RIO_SANDBOX_SOURCES
  src/sandbox/fixture_upstreams.cpp
  src/sandbox/fixture_stubs.cpp
  src/sandbox/local_process.cpp
  src/sandbox/login_shell.cpp
  src/sandbox/process_tree.cpp
  src/sandbox/sshd_process.cpp
  src/sandbox/throwaway_host.cpp)

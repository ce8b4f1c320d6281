# The fault suite (label: faults): rio against real loopback sshd hosts under failures
# (docs/reliability.md). Paths relative to tests/. The sources are compiled into
# rio_integration_tests (each test TU costs much to build on two cores, and a seventh
# executable would relink the same objects); tests/CMakeLists.txt discovers them a second time
# with the filter Faults*, and the integration label excludes them, so each runs once.
set(RIO_FAULT_TEST_SOURCES
  faults/sshd_stopped_test.cpp
  faults/silent_host_test.cpp
  faults/disk_full_test.cpp
  faults/hung_command_test.cpp
  faults/sigkill_test.cpp
  faults/two_processes_test.cpp
  faults/vault_key_test.cpp
  faults/detection_failed_test.cpp
  faults/failed_step_console_test.cpp
  faults/state_options_test.cpp)

# The test-only `faulty` module (a step running the test's command, 3 s timeout), built outside
# the plugin directory so `-m all` elsewhere never sees it; the tests link it into a scratch one.
rio_add_module(rio_fault_module
  SOURCES faults/faulty_module.cpp
  OUTPUT_NAME fault-faulty
  OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/fault_plugins")

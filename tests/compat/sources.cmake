# Drop-in compatibility with the Python original (issue 16): each test acts as one of its clients
# would, with the exact request bodies and the fields it reads. One file per point.
set(RIO_COMPAT_TEST_SOURCES
  compat/bare_host_status_test.cpp
  compat/env_override_precedence_test.cpp
  compat/host_failure_records_test.cpp
  compat/hook_wire_test.cpp
  compat/host_names_test.cpp
  compat/legacy_vault_in_place_test.cpp
  compat/plan_step_commands_test.cpp
  compat/security_api_test.cpp)

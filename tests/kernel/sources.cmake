set(RIO_KERNEL_TEST_SOURCES
  kernel/settings_test.cpp
  kernel/spec_validation_test.cpp
  kernel/registry_json_test.cpp
  kernel/cli_test.cpp
  kernel/remote_command_test.cpp
  kernel/engine_records_test.cpp
  kernel/engine_plan_test.cpp)

set(RIO_ENGINE_TEST_SOURCES
  engine/engine_run_test.cpp
  engine/engine_canary_test.cpp
  engine/engine_alias_test.cpp
  engine/engine_fleet_test.cpp
  engine/engine_platform_test.cpp
  engine/engine_unreachable_test.cpp
  engine/engine_dropbear_test.cpp)

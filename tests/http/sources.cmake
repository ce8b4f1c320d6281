set(RIO_HTTP_TEST_SOURCES
  http/api_routes_test.cpp
  http/api_runs_test.cpp
  http/api_hooks_test.cpp)

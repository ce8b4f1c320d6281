set(RIO_HTTP_TEST_SOURCES
  http/api_routes_test.cpp)

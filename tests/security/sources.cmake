# Security regressions (label: security): each performs an attack against real servers and hosts.
set(RIO_SECURITY_TEST_SOURCES
  security/cross_site_test.cpp)

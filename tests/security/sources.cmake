# Security regressions (label: security): each performs an attack against real servers and hosts.
set(RIO_SECURITY_TEST_SOURCES
  security/connection_test.cpp
  security/cross_site_test.cpp
  security/hook_payload_test.cpp
  security/token_test.cpp
  security/vault_stretch_test.cpp
  security/webhook_flood_test.cpp)

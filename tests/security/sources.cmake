# Security regressions (label: security): each performs an attack against real servers and hosts.
set(RIO_SECURITY_TEST_SOURCES
  security/api_limits_test.cpp
  security/connection_test.cpp
  security/cross_site_test.cpp
  security/dry_run_known_hosts_test.cpp
  security/env_secrecy_test.cpp
  security/hook_payload_test.cpp
  security/host_spelling_test.cpp
  security/manifest_replace_test.cpp
  security/openssh_host_key_test.cpp
  security/option_injection_test.cpp
  security/plugin_modes_test.cpp
  security/token_test.cpp
  security/url_credentials_test.cpp
  security/vault_links_test.cpp
  security/vault_stretch_test.cpp
  security/webhook_flood_test.cpp)

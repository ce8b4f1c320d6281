# Vault unit tests (compiled into rio_unit_tests; suites are named Vault*, Fernet*, Secret*).
set(RIO_VAULT_TEST_SOURCES
  vault/vault_test_support.cpp
  vault/master_key_test.cpp
  vault/envelope_test.cpp
  vault/fernet_test.cpp
  vault/env_overrides_test.cpp
  vault/connection_fields_test.cpp
  vault/vault_store_test.cpp
  vault/vault_bad_input_test.cpp
  vault/vault_concurrency_test.cpp
  vault/vault_rotation_test.cpp
  vault/legacy_import_test.cpp
  vault/vault_cli_test.cpp
  vault/vault_canary_test.cpp
  vault/vault_guidance_test.cpp)

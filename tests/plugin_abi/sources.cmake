set(RIO_ABI_TEST_SOURCES
  plugin_abi/module_loader_test.cpp
  plugin_abi/plugin_boundary_test.cpp
  plugin_abi/registry_dir_test.cpp
  plugin_abi/header_hash_test.cpp
  plugin_abi/abi_test_support.cpp)

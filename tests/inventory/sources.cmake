# Fleet inventory parsing (kernel/src/inventory), in rio_unit_tests.
set(RIO_INVENTORY_TEST_SOURCES
  inventory/inventory_simple_test.cpp
  inventory/inventory_ansible_test.cpp
  inventory/inventory_corpus_test.cpp
  inventory/inventory_issue22_test.cpp
  inventory/inventory_ranges_test.cpp
  inventory/inventory_select_test.cpp)

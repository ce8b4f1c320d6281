# Fleet inventories (rio's simple list and Ansible INI); see docs/inventory.md.
set(RIO_INVENTORY_SOURCES
  src/inventory/ansible_groups.cpp
  src/inventory/ansible_ini.cpp
  src/inventory/host_ranges.cpp
  src/inventory/host_settings.cpp
  src/inventory/host_spec.cpp
  src/inventory/parse_inventory.cpp
  src/inventory/select_hosts.cpp
  src/inventory/simple_list.cpp
  src/inventory/word_split.cpp)

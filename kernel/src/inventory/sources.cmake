# Fleet inventories (simple list, Ansible INI, YAML and ansible-inventory JSON); see docs/inventory.md.
set(RIO_INVENTORY_SOURCES
  src/inventory/ansible_groups.cpp
  src/inventory/ansible_ini.cpp
  src/inventory/format_detect.cpp
  src/inventory/host_ranges.cpp
  src/inventory/host_settings.cpp
  src/inventory/host_patterns.cpp
  src/inventory/host_spec.cpp
  src/inventory/json_inventory.cpp
  src/inventory/name_match.cpp
  src/inventory/parse_inventory.cpp
  src/inventory/select_hosts.cpp
  src/inventory/simple_list.cpp
  src/inventory/tree_builder.cpp
  src/inventory/word_split.cpp
  src/inventory/yaml_inventory.cpp)

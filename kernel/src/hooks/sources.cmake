set(RIO_HOOKS_SOURCES
  src/hooks/bridges.cpp
  src/hooks/catalogue.cpp
  src/hooks/hook_bus.cpp)

# The four built-in modules, loaded from their shared objects, against the SDK's fake shell.
set(RIO_MODULE_TEST_SOURCES
  modules/comfyui_module_test.cpp
  modules/sillytavern_module_test.cpp
  modules/lmstudio_module_test.cpp
  modules/ollama_module_test.cpp
  modules/generic_module_test.cpp)

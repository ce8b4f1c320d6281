#pragma once
// The hello module's declarations, shared by the module (hello_module.cpp) and its test.

#include <rio/sdk/data_installer.hpp>

namespace rio::plugins::hello {

/** Everything the module declares: options, install steps, detect probes and config sync. */
sdk::module_spec make_spec();

/**
 * A module declared purely as data: data_installer's default detect, install and sync_config
 * coroutines run the spec, so there is no code to write beyond make_spec().
 */
class module final : public sdk::data_installer {
 public:
  module() : data_installer(make_spec()) {}
};

}  // namespace rio::plugins::hello

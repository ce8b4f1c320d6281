// hello: writes a greeting file on the host. Harmless, but it has everything a real module has:
// typed options, steps that a rerun skips, detect probes and an optional config-sync entry.

#include "hello_module.hpp"

#include <rio/sdk/module.hpp>

namespace rio::plugins::hello {

sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "hello";  // [a-z][a-z0-9_-]*; must equal the id given to RIO_DECLARE_INSTALLER below
  s.name = "Hello";
  s.version = "1.0.0";
  s.notes = "Example module: writes a greeting file on the host.";
  s.tags = {"example"};

  // Options: {name, type, default, description, allow_empty}. The type decides how a value is
  // validated and how {{name}} is quoted into commands: a path such as ~/hello-rio becomes
  // "$HOME"/'hello-rio', a string becomes one single-quoted shell word.
  s.options = {
      {"install_dir", sdk::option_type::path, "~/hello-rio", "Directory that receives greeting.txt.", false},
      {"greeting", sdk::option_type::string, "Hello from rio", "The line written to greeting.txt.", false},
  };

  // Steps run in order. Each done_check runs first; when it exits 0 the step is skipped, so a
  // second install does nothing and a changed greeting rewrites only the file.
  sdk::step_spec directory;
  directory.id = "directory";
  directory.description = "Create the install directory.";
  directory.command = "mkdir -p {{install_dir}}";
  directory.done_check = "test -d {{install_dir}}";
  directory.timeout = std::chrono::seconds{30};
  s.install_steps.push_back(directory);

  sdk::step_spec greeting;
  greeting.id = "greeting";
  greeting.description = "Write the greeting file.";
  // Write to a temporary name and rename, so an interrupted run never leaves half a file.
  greeting.command =
      "printf '%s\\n' {{greeting}} > {{install_dir}}/greeting.txt.tmp &&\n"
      "mv -f {{install_dir}}/greeting.txt.tmp {{install_dir}}/greeting.txt";
  greeting.done_check = "grep -qxF -- {{greeting}} {{install_dir}}/greeting.txt";
  greeting.timeout = std::chrono::seconds{30};
  s.install_steps.push_back(greeting);
  // data_installer appends the sentinel step (and the sentinel probe) itself.

  // Probes: detect reports "installed" only when every probe exits 0.
  s.detect_steps = {
      {"greeting-file", "Check the greeting file.", "test -f {{install_dir}}/greeting.txt", std::chrono::seconds{10}},
  };

  // Config sync: copy <rio root>/config/hello/motd.txt to the host if it exists locally and the
  // destination does not (never overwritten). Destinations take placeholders unquoted.
  s.config_sync = {
      {"config/hello/motd.txt", "{{install_dir}}/motd.txt", "Copy a local message of the day.", true},
  };
  return s;
}

}  // namespace rio::plugins::hello

// The one exported entry point: rio reads its descriptor (ABI, Boost, compiler, header hash)
// before it creates the module. Once per shared object, at global scope.
RIO_DECLARE_INSTALLER("hello", rio::plugins::hello::module)

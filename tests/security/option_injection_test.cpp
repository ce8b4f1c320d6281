// Security regressions (issue 26, point 10): a '"' in ollama.api_address wrote a second
// `Environment=` assignment (LD_PRELOAD=...) into the systemd drop-in of a service that runs as
// root. The value is validated by its type (address: host:port) before anything connects, and the
// drop-in is written with systemd's own quoting, so neither layer alone lets it through.
#include <rio/kernel/module_loader.hpp>
#include <rio/sdk/options.hpp>
#include <rio/sdk/shell.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

namespace rio::test {
namespace {

const char* const injected = "127.0.0.1:11434\" \"LD_PRELOAD=/tmp/rio-evil.so";

const sdk::module_spec& ollama_spec() {
  static auto module = kernel::load_module(std::filesystem::path{RIO_TEST_PLUGIN_DIR} / "rio-ollama.so");
  if (!module) throw std::runtime_error(module.error().message);
  return (*module)->spec();
}

TEST(SecurityOptionInjection, AnAddressOptionTakesOnlyHostAndPort) {
  const auto& spec = ollama_spec();
  for (const std::string& bad : {std::string{injected}, std::string{"127.0.0.1:11434\\"}, std::string{"x%i:1"}, std::string{"a b:1"},
                                std::string{"127.0.0.1"}, std::string{"127.0.0.1:0"}, std::string{"127.0.0.1:65536"},
                                std::string{"[::1:11434"}, std::string{"-oops:1"}, std::string{"host:1\nEnvironment=X=1"}}) {
    auto r = sdk::resolve_options(spec, {{"api_address", bad}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, sdk::make_error_code(sdk::errc::invalid_option)) << bad;
    EXPECT_NE(r.error().message.find("'api_address' (address)"), std::string::npos) << r.error().message;
  }
  for (const char* good : {"127.0.0.1:11434", "0.0.0.0:11434", "[::1]:11434", "ollama.lab.example:80", "gpu-1:11434"}) {
    EXPECT_TRUE(sdk::resolve_options(spec, {{"api_address", good}})) << good;
  }
}

std::string run_locally(const std::string& script) {
  temp_dir dir;
  auto file = dir.write("s.sh", script);
  std::unique_ptr<FILE, int (*)(FILE*)> p{::popen(("/bin/sh " + sdk::shell_quote(file.string())).c_str(), "r"), ::pclose};
  std::string out;
  char buf[256];
  while (p && std::fgets(buf, sizeof buf, p.get()) != nullptr) out += buf;
  return out;
}

// The second layer on its own: a value that slipped past validation (rendered directly) still
// gives one assignment, as systemd reads "..." with backslash escapes and % specifiers.
TEST(SecurityOptionInjection, TheDropInQuotesForSystemdWhateverTheValue) {
  const auto& spec = ollama_spec();
  const sdk::step_spec* service = nullptr;
  for (const auto& s : spec.install_steps) {
    if (s.id == "service") service = &s;
  }
  ASSERT_NE(service, nullptr);
  sdk::option_values values;
  for (const auto& o : spec.options) values[o.name] = o.default_value;
  values["api_address"] = std::string{injected} + "%h\\";
  auto rendered = sdk::render_command(service->command, spec, values);
  ASSERT_TRUE(rendered) << rendered.error().message;
  // The lines that compute the drop-in's text, run for real, then the text printed.
  std::string script;
  for (std::size_t start = 0; start < rendered->size();) {
    auto end = rendered->find('\n', start);
    const std::string line = rendered->substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.find("rio_unit_addr=") != std::string::npos || line.find("rio_want=") != std::string::npos) script += line + "\n";
    start = end == std::string::npos ? rendered->size() : end + 1;
  }
  ASSERT_NE(script.find("rio_want="), std::string::npos) << *rendered;
  const std::string dropin = run_locally(script + "printf '%s' \"$rio_want\"\n");
  EXPECT_EQ(dropin, "[Service]\nEnvironment=\"OLLAMA_HOST=127.0.0.1:11434\\\" \\\"LD_PRELOAD=/tmp/rio-evil.so%%h\\\\\"");
}

}  // namespace
}  // namespace rio::test

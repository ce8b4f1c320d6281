// POST /api/remote/install: the request body as route_install.cpp reads it (Boost.JSON parse,
// then read_install_body), without Beast or a server. The context is what a server holds: two
// modules with real option schemas, a root directory with a vault (provider "remote_installer"
// with host blocks and a key) and $HOME/.ssh. Checks what an accepted body promises: at least one
// host, each valid for ssh and named once, the run settings filled in, and every value of a
// secret-looking ssh.env variable masked by the run's redactor.

#include "fuzz_support.hpp"

#include "install_body.hpp"

#include <rio/kernel/engine/run_paths.hpp>
#include <rio/sdk/installer.hpp>
#include <rio/vault/vault.hpp>

#include <boost/json/parse.hpp>

#include <cctype>
#include <fstream>
#include <map>
#include <set>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace kernel = rio::kernel;
namespace sdk = rio::sdk;
using rio::fuzz::require;

// Reading a body never runs a module: only spec() is called.
class schema_only final : public sdk::installer {
 public:
  explicit schema_only(sdk::module_spec spec) : spec_(std::move(spec)) {}
  const sdk::module_spec& spec() const noexcept override { return spec_; }
  boost::asio::awaitable<sdk::result<sdk::detect_report>> detect(sdk::run_context&) override { std::abort(); }
  boost::asio::awaitable<sdk::result<sdk::install_report>> install(sdk::run_context&) override { std::abort(); }
  boost::asio::awaitable<sdk::result<sdk::sync_report>> sync_config(sdk::run_context&) override { std::abort(); }

 private:
  sdk::module_spec spec_;
};

// Option schemas as the ComfyUI and Ollama modules declare them (plugins/*/), one of each type.
sdk::module_spec comfyui() {
  sdk::module_spec s;
  s.id = "comfyui";
  s.name = "ComfyUI";
  s.options = {{"install_dir", sdk::option_type::path, "~/ComfyUI", "checkout", false},
               {"repo_url", sdk::option_type::url, "https://github.com/comfyanonymous/ComfyUI.git", "repository", false},
               {"ref", sdk::option_type::identifier, "master", "branch or tag", false},
               {"python", sdk::option_type::string, "python3", "interpreter", false},
               {"torch_index_url", sdk::option_type::url, "", "wheel index", true}};
  return s;
}

sdk::module_spec ollama() {
  sdk::module_spec s;
  s.id = "ollama";
  s.name = "Ollama";
  s.options = {{"installer_url", sdk::option_type::url, "https://ollama.com/install.sh", "script", false},
               {"version", sdk::option_type::identifier, "", "pin", true},
               {"health_timeout", sdk::option_type::integer, "60", "seconds", false},
               {"gpu", sdk::option_type::boolean, "false", "gpu", false}};
  return s;
}

std::unique_ptr<kernel::loaded_module> module(sdk::module_spec spec) {
  auto m = std::make_unique<kernel::loaded_module>();
  m->id = spec.id;
  m->file = "rio-" + spec.id + ".so";
  m->instance = kernel::installer_ptr{new schema_only{std::move(spec)},
                                      kernel::installer_deleter{[](sdk::installer* p) noexcept { delete p; }}};
  return m;
}

const std::string vault_key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

struct server_context {
  fs::path root;
  kernel::module_registry registry;
  rio::http::api_config config;
  kernel::engine::run_paths paths;

  server_context() : root(rio::fuzz::scratch_directory("install-body")) {
    require(registry.add(module(comfyui())).has_value() && registry.add(module(ollama())).has_value(), "modules load");
    fs::create_directories(root / "home" / ".ssh");
    std::ofstream{root / "home" / ".ssh" / "id_ed25519"} << "-----BEGIN OPENSSH PRIVATE KEY-----\nfuzz\n";
    std::map<std::string, std::string> env{{"HOME", (root / "home").string()},
                                           {rio::vault::env_secrets_key, vault_key},
                                           {"COMFYVN_SECRET_STAGING_USER", "stage"}};
    config.settings.root = root;
    config.settings.plugin_dir = root / "plugins";
    config.env = [env](const char* name) -> std::optional<std::string> {
      auto it = env.find(name);
      return it == env.end() ? std::nullopt : std::optional{it->second};
    };
    paths = kernel::engine::resolve_run_paths(root, config.env);
    rio::vault::vault_options vo;
    vo.root = root;
    vo.env = rio::vault::environment::from_lookup(config.env);
    rio::vault::vault v{std::move(vo)};
    auto fields = json::parse(R"({"user": "deploy", "port": 22, "connect_timeout": 15,
      "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
      "hosts": {"web1": {"user": "ops", "port": 2222}, "default": {"passphrase": "correct horse"}},
      "db.example.com": {"identity": "~/.ssh/id_ed25519"}})");
    require(v.init().has_value() && v.put_provider("remote_installer", fields.get_object()).has_value(), "the vault is made");
  }

  rio::http::detail::body_context context() const { return {registry, config, paths, nullptr}; }

  // Every read appends to logs/security.log; keep the scratch directory small.
  void trim_audit_log() const {
    std::error_code ec;
    if (fs::file_size(root / "logs" / "security.log", ec) > (1u << 20)) fs::remove(root / "logs" / "security.log", ec);
  }
};

server_context& server() {
  static server_context s;
  return s;
}

bool secret_looking(std::string_view name) {
  std::string upper{name};
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.find("TOKEN") != std::string::npos || upper.find("SECRET") != std::string::npos ||
         upper.find("PASSWORD") != std::string::npos;
}

// A value the redactor holds (one line of 4+ characters, trailing blanks trimmed) must not
// survive apply(). Values containing '[' or ']', or inside the mask itself, are left out: the
// mask text could spell them again without anything leaking.
void check_masked(const kernel::engine::redactor& redact, std::string_view value) {
  while (!value.empty()) {
    const auto eol = value.find('\n');
    std::string_view line = value.substr(0, eol);
    value = eol == std::string_view::npos ? std::string_view{} : value.substr(eol + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.size() < 4 || line.find_first_of("[]") != std::string_view::npos ||
        kernel::engine::redactor::mask.find(line) != std::string_view::npos) {
      continue;
    }
    const std::string shown = redact.apply("log: " + std::string{line} + " done");
    require(shown.find(line) == std::string::npos, "a secret ssh.env value is masked in logs", line);
  }
}

void check_call(const rio::http::detail::install_call& call) {
  require(!call.hosts.empty(), "an accepted body has a host");
  require(!call.single_host || call.hosts.size() == 1, "host (not hosts) is one host");
  require(call.redact != nullptr && call.settings.redact == call.redact.get(), "the run's redactor is set");
  require(!call.settings.run_id.empty(), "the run has an id");
  std::set<std::string> targets;
  for (const auto& h : call.hosts) {
    require(kernel::ssh::validate(h.where).has_value(), "every host passes ssh::validate", h.where.host);
    // Two names of one user@host:port are two aliases, and both run (#22); one name runs once.
    require(targets.insert(h.name + " " + h.where.user + "@" + h.where.host + ":" + std::to_string(h.where.port)).second,
            "each host name and target runs once", h.where.host);
    require(!h.modules.empty(), "every host has its modules");
    for (const auto& [name, value] : h.env) {
      if (secret_looking(name)) check_masked(*call.redact, value);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  server_context& s = server();
  boost::system::error_code ec;
  json::value doc = json::parse(rio::fuzz::text_of(data, size), ec);
  if (ec || !doc.is_object()) return 0;  // route_install.cpp answers 400 before reading fields
  auto read = rio::http::detail::read_install_body(doc.get_object(), s.context());
  if (auto* call = std::get_if<rio::http::detail::install_call>(&read)) {
    check_call(*call);
  } else {
    const auto& e = std::get<rio::http::detail::body_error>(read);
    require(e.status >= 400 && e.status < 500 && !e.message.empty() && !e.field.empty(),
            "a refused body is a 4xx naming the field", e.message);
  }
  s.trim_audit_log();
  return 0;
}

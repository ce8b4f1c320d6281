#pragma once
// rio's REST server in-process for one test: its own root directory (feature flag file, vault,
// records), its own io_context on a thread, a free loopback port. Stopped and joined at the end.

#include "../engine/engine_test_support.hpp"
#include "http_client.hpp"

#include <rio/http/server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <functional>
#include <future>
#include <thread>

namespace rio::test {

class api_server {
 public:
  explicit api_server(const fs::path& root, bool flag_on = true, std::optional<std::string> token = std::nullopt,
                      env_map env = {}, const std::function<void(http::server_options&)>& tweak = {}) {
    set_flag(root, flag_on);
    http::server_options o;
    o.port = 0;
    if (token) o.token = vault::secret{*token};
    if (tweak) tweak(o);
    // As `rio serve --root R --plugin-dir P` would: config/rio.json's allowed_sources are read.
    auto resolved = kernel::resolve_settings({root, fs::path{RIO_TEST_PLUGIN_DIR}, fake_env({}), root, root});
    if (!resolved) throw std::runtime_error("settings: " + resolved.error().message);
    kernel::settings s = *resolved;
    env.emplace("HOME", (root / "home").string());
    auto started = http::server::start(ctx_, o, http::api_config{s, fake_env(env)});
    if (!started) throw std::runtime_error("server: " + started.error().message);
    server_ = std::move(*started);
    port_ = server_->local_endpoint().port();
    thread_ = std::thread{[this] { ctx_.run(); }};
  }
  ~api_server() {
    std::promise<void> stopped;
    boost::asio::post(ctx_, [&] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    // Runs in flight were cancelled; let them record themselves, then stop the loop.
    while (active_runs() > 0) std::this_thread::yield();
    work_.reset();
    ctx_.stop();
    thread_.join();
    server_.reset();
  }

  static void set_flag(const fs::path& root, bool on) {
    fs::create_directories(root / "config");
    std::ofstream{root / "config/comfyvn.json"} << "{\"features\": {\"enable_remote_installer\": " << (on ? "true" : "false") << "}}\n";
  }

  std::size_t active_runs() {
    std::promise<std::size_t> n;
    boost::asio::post(ctx_, [&] { n.set_value(server_->active_runs()); });
    return n.get_future().get();
  }

  std::uint16_t port() const { return port_; }
  http_reply get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& h = {}) const {
    return http_call(port_, "GET", target, {}, h);
  }
  http_reply post(const std::string& target, const std::string& body,
                  const std::vector<std::pair<std::string, std::string>>& h = {}) const {
    return http_call(port_, "POST", target, body, h);
  }

 private:
  boost::asio::io_context ctx_;
  // Keeps run() going after stop() closed the acceptor, so active_runs() can still be asked.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ctx_.get_executor()};
  std::unique_ptr<http::server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/** The vault key every API test uses (passed to the server and the CLI as COMFYVN_SECRETS_KEY). */
inline const env_map& vault_env() {
  static const env_map env{{"COMFYVN_SECRETS_KEY", std::string(64, 'b')}};
  return env;
}

/**
 * Stores host `i`'s private key in a real vault: as remote_installer.defaults.private_key, or
 * under hosts.<its address> when `per_host` (each throwaway host has its own key).
 */
inline void store_key_in_vault(engine_world& w, std::size_t i = 0, bool per_host = false) {
  auto key = w.scratch() / "vault-key-input";
  fs::copy_file(w.host(i).user_key(), key, fs::copy_options::overwrite_existing);
  std::vector<std::string> base{"--root", w.root().string()};
  auto init = w.run(engine_world::with(base, {"vault", "init"}), vault_env());
  if (init.code != 0) throw std::runtime_error("vault init: " + init.err);
  std::vector<std::string> path = per_host ? std::vector<std::string>{"hosts", w.host(i).target().host, "private_key"}
                                           : std::vector<std::string>{"defaults", "private_key"};
  auto args = engine_world::with(base, {"vault", "set", "remote_installer"});
  args = engine_world::with(args, path);
  auto set = w.run(engine_world::with(args, {"--value-file", key.string()}), vault_env());
  if (set.code != 0) throw std::runtime_error("vault set: " + set.err);
  fs::remove(key);
}

/** The JSON install body for host `spec`, with the fixture upstreams as module options and the
    key from the vault (store_key_in_vault). */
inline std::string install_body(engine_world& w, const std::string& spec, const std::string& modules_json,
                                const std::string& extra = "", const std::string& comfyui_python = "") {
  boost::json::object options;
  for (const auto& [module, values] : w.fixtures().options) {
    boost::json::object o;
    for (const auto& [k, v] : values) o[k] = v;
    options[module] = std::move(o);
  }
  if (!comfyui_python.empty()) options["comfyui"].as_object()["python"] = comfyui_python;
  std::string body = "{\"host\": \"" + spec + "\", \"modules\": " + modules_json +
                     ", \"secrets\": {\"provider\": \"remote_installer\"}, \"options\": " + boost::json::serialize(options);
  if (!extra.empty()) body += ", " + extra;
  return body + "}";
}

}  // namespace rio::test

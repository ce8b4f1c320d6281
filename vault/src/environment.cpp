#include <rio/vault/environment.hpp>

#include <unistd.h>  // environ

namespace rio::vault {
namespace {

constexpr std::string_view captured_prefix = "COMFYVN_SECRET";

template <class F>
void for_each_process_name(F&& f) {
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view kv{*entry};
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    if (name.starts_with(captured_prefix)) f(name, kv.substr(eq + 1));
  }
}

}  // namespace

environment::environment(const std::map<std::string, std::string>& vars) {
  for (const auto& [name, value] : vars) set(name, value);
}

environment environment::process() {
  environment env;
  for_each_process_name([&](std::string_view name, std::string_view value) { env.set(std::string{name}, value); });
  return env;
}

environment environment::from_lookup(const std::function<std::optional<std::string>(const char*)>& lookup) {
  environment env;
  auto take = [&](const std::string& name) {
    if (auto value = lookup(name.c_str())) {
      env.set(name, *value);
      ::explicit_bzero(value->data(), value->size());
    }
  };
  for (const char* name : {env_secrets_key, env_secrets_passphrase, env_secrets_new_passphrase}) take(name);
  std::vector<std::string> names;
  for_each_process_name([&](std::string_view name, std::string_view) { names.emplace_back(name); });
  for (const auto& name : names) take(name);
  return env;
}

void environment::set(std::string name, std::string_view value) {
  if (value.empty()) {
    vars_.erase(name);
    return;
  }
  vars_.insert_or_assign(std::move(name), secret{value});
}

const secret* environment::find(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string_view, const secret*>> environment::with_prefix(std::string_view prefix) const {
  std::vector<std::pair<std::string_view, const secret*>> out;
  for (auto it = vars_.lower_bound(prefix); it != vars_.end() && std::string_view{it->first}.starts_with(prefix); ++it) {
    out.emplace_back(it->first, &it->second);
  }
  return out;
}

}  // namespace rio::vault

#include "vault_worker.hpp"

namespace rio::http::detail {

vault_worker::vault_worker(std::filesystem::path root, kernel::env_lookup env, vault::event_listener* listener)
    : root_(std::move(root)), env_(std::move(env)), listener_(listener), stretches_(std::make_shared<vault::stretch_cache>()) {}

vault_worker::~vault_worker() { pool_.join(); }

vault::vault vault_worker::open() const {
  vault::vault_options o;
  o.root = root_;
  o.env = vault::environment::from_lookup(env_);
  o.listener = listener_;
  o.stretches = stretches_;
  return vault::vault{std::move(o)};
}

}  // namespace rio::http::detail

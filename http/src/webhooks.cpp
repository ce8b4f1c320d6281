#include "webhooks.hpp"

#include "webhook_client.hpp"

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/hooks/catalogue.hpp>
#include <rio/sdk/coro.hpp>
#include <rio/vault/hmac.hpp>
#include <rio/vault/vault.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <random>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* secrets_provider = "modder_webhooks";

kernel::result<http_url> parse_http_url(const std::string& url) {
  auto bad = [&](const std::string& why) { return kernel::fail(kernel::errc::bad_request, "webhook url " + why); };
  if (url.empty()) return bad("required");
  if (url.size() > 2048) return bad("is longer than 2048 characters");
  if (!url.starts_with("http://")) return bad("must start with http:// (https is not supported yet)");
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return bad("contains spaces or control characters");
  }
  http_url out;
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return bad("needs a host (and no user:password@)");
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return bad("has an unterminated [IPv6] host");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("has junk after the [IPv6] host");
      out.port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  if (out.host.empty() || out.host.front() == '-') return bad("has an invalid host");
  if (out.port.empty() || out.port.size() > 5 || out.port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(out.port) < 1 || std::stoi(out.port) > 65535) {
    return bad("has an invalid port");
  }
  return out;
}

webhook_registry::webhook_registry(fs::path root, kernel::env_lookup env, kernel::hooks::hook_bus& bus,
                                   vault::event_listener* listener, delivery_policy policy)
    : root_(std::move(root)), env_(std::move(env)), bus_(bus), listener_(listener), policy_(policy) {}

namespace {

fs::path list_file(const fs::path& root) { return root / "data" / "webhooks.json"; }

vault::vault open_vault(const fs::path& root, const kernel::env_lookup& env, vault::event_listener* listener) {
  vault::vault_options vo;
  vo.root = root;
  vo.env = vault::environment::from_lookup(env);
  vo.listener = listener;
  return vault::vault{std::move(vo)};
}

std::string new_id() {
  std::random_device rd;
  char buf[20];
  std::snprintf(buf, sizeof buf, "wh-%08x%04x", static_cast<unsigned>(rd()), static_cast<unsigned>(rd() & 0xffff));
  return buf;
}

}  // namespace

kernel::result<void> webhook_registry::load() {
  auto text = kernel::engine::read_file_if_exists(list_file(root_));
  if (!text) return text.error();
  if (!*text) return {};
  boost::system::error_code ec;
  auto doc = json::parse(**text, ec);
  if (ec || !doc.is_array()) return kernel::fail(kernel::errc::bad_config, list_file(root_).string() + ": not a JSON list");
  json::object secrets;
  bool any_signed = false;
  for (const auto& item : doc.get_array()) any_signed = any_signed || (item.is_object() && item.get_object().contains("signed") && item.get_object().at("signed").is_bool() && item.get_object().at("signed").get_bool());
  if (any_signed) {
    auto v = open_vault(root_, env_, listener_);
    auto view = v.get(secrets_provider);
    if (!view) return kernel::fail(kernel::errc::bad_config, "webhook secrets: " + view.error().message);
    secrets = std::move(view->fields);
  }
  for (const auto& item : doc.get_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.get_object();
    auto h = std::make_shared<webhook>();
    auto str = [&](const char* k) { return o.contains(k) && o.at(k).is_string() ? std::string{o.at(k).get_string()} : std::string{}; };
    h->id = str("id");
    h->event = str("event");
    h->url = str("url");
    h->created_at = str("created_at");
    h->signed_ = o.contains("signed") && o.at("signed").is_bool() && o.at("signed").get_bool();
    if (h->id.empty() || !parse_http_url(h->url)) continue;
    if (h->signed_) {
      auto* s = secrets.if_contains(h->id);
      if (s == nullptr || !s->is_string()) continue;  // a signed hook without its secret would send unsigned: skip it
      h->secret = vault::secret{std::string_view{s->get_string()}};
    }
    hooks_[h->id] = h;
    start_delivery(h);
  }
  return {};
}

kernel::result<std::string> webhook_registry::add(const std::string& event, const std::string& url, const std::string& secret) {
  if (event != "*" && kernel::hooks::find_event(event) == nullptr) return kernel::fail(kernel::errc::bad_request, "unsupported event");
  if (auto u = parse_http_url(url); !u) return u.error();
  std::string id;
  for (const auto& [hid, h] : hooks_) {
    if (h->event == event && h->url == url) id = hid;
  }
  const bool replacing = !id.empty();
  if (id.empty()) id = new_id();
  if (!secret.empty()) {
    auto v = open_vault(root_, env_, listener_);
    if (auto set = v.set(secrets_provider, {id}, json::value(secret)); !set) {
      return kernel::fail(kernel::errc::bad_request, "webhook secrets are kept in the vault, which refused it: " + set.error().message);
    }
  }
  auto h = std::make_shared<webhook>();
  h->id = id;
  h->event = event;
  h->url = url;
  h->signed_ = !secret.empty();
  h->secret = vault::secret{secret};
  h->created_at = kernel::engine::utc_timestamp();
  if (replacing) hooks_[id]->active = false;  // the old subscriber goes quiet (see start_delivery)
  hooks_[id] = h;
  if (auto saved = save(); !saved) return saved.error();
  start_delivery(h);
  return id;
}

kernel::result<void> webhook_registry::remove(const std::string& event, const std::string& url) {
  for (auto it = hooks_.begin(); it != hooks_.end(); ++it) {
    if (it->second->event == event && it->second->url == url) {
      it->second->active = false;
      if (it->second->signed_) {
        auto v = open_vault(root_, env_, listener_);
        (void)v.unset(secrets_provider, {it->first});
      }
      hooks_.erase(it);
      return save();
    }
  }
  return kernel::fail(kernel::errc::bad_request, "no webhook for that event and url");
}

json::array webhook_registry::list_json() const {
  json::array out;
  for (const auto& [id, h] : hooks_) {
    out.emplace_back(json::object{{"id", id}, {"event", h->event}, {"url", h->url}, {"signed", h->signed_}, {"created_at", h->created_at}});
  }
  return out;
}

kernel::result<void> webhook_registry::save() const {
  json::array list;
  for (const auto& [id, h] : hooks_) {
    list.emplace_back(json::object{{"id", id}, {"event", h->event}, {"url", h->url}, {"signed", h->signed_}, {"created_at", h->created_at}});
  }
  if (auto dir = kernel::engine::ensure_directory(list_file(root_).parent_path()); !dir) return dir.error();
  return kernel::engine::write_file_atomic(list_file(root_), json::serialize(list) + "\n", 0600);
}

void webhook_registry::start_delivery(const std::shared_ptr<webhook>& hook) {
  kernel::hooks::subscriber_options o;
  o.name = "webhook " + hook->id + " " + hook->url;
  o.events = {hook->event};
  o.queue_limit = 1000;
  // Retries happen inside one delivery, so the deadline covers all of them.
  o.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(policy_.attempt_timeout * policy_.attempts +
                                                                    policy_.first_backoff * (1 << policy_.attempts));
  std::weak_ptr<webhook> weak = hook;
  delivery_policy policy = policy_;
  bus_.subscribe(o, [weak, policy](const kernel::hooks::envelope& e) -> asio::awaitable<kernel::result<void>> {
    auto h = weak.lock();
    if (!h || !h->active) co_return kernel::result<void>{};  // removed or replaced
    auto url = parse_http_url(h->url);
    if (!url) co_return url.error();
    const std::string body = json::serialize(e.to_json());
    std::vector<std::pair<std::string, std::string>> headers{{"X-Rio-Event", e.event}, {"X-Rio-Delivery", std::to_string(e.seq)}};
    if (h->signed_) headers.emplace_back("X-Rio-Signature-256", "sha256=" + vault::hmac_sha256_hex(h->secret.reveal(), body));
    auto backoff = policy.first_backoff;
    std::string last_error;
    asio::steady_timer wait{co_await asio::this_coro::executor};
    for (int attempt = 1; attempt <= policy.attempts; ++attempt) {
      auto sent = co_await post_json(*url, body, headers, policy.attempt_timeout);
      if (sent && *sent >= 200 && *sent < 300) co_return kernel::result<void>{};
      last_error = sent ? "HTTP " + std::to_string(*sent) : sent.error().message;
      if (attempt == policy.attempts) break;
      wait.expires_after(backoff);
      auto [ec] = co_await wait.async_wait(sdk::use_nothrow);
      if (ec) break;
      backoff *= 2;
    }
    co_return kernel::fail(kernel::errc::io_error, "webhook " + h->url + " failed after " + std::to_string(policy.attempts) + " attempts: " + last_error);
  });
}

}  // namespace rio::http::detail

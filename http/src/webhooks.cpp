#include "webhooks.hpp"

#include "http_error.hpp"
#include "vault_worker.hpp"

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/hooks/catalogue.hpp>
#include <rio/vault/vault.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <random>
#include <variant>

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

webhook_registry::webhook_registry(fs::path root, kernel::hooks::hook_bus& bus, vault_worker& vault, asio::any_io_executor ex,
                                   std::size_t max_webhooks, delivery_policy policy)
    : root_(std::move(root)), bus_(bus), vault_(vault), ex_(std::move(ex)), max_(max_webhooks), policy_(policy) {}

webhook_registry::~webhook_registry() { stop(); }

namespace {

fs::path list_file(const fs::path& root) { return root / "data" / "webhooks.json"; }

std::string new_id() {
  std::random_device rd;
  char buf[20];
  std::snprintf(buf, sizeof buf, "wh-%08x%04x", static_cast<unsigned>(rd()), static_cast<unsigned>(rd() & 0xffff));
  return buf;
}

json::object describe(const webhook& h) {
  return json::object{{"id", h.id}, {"event", h.event}, {"url", h.url}, {"signed", h.signed_}, {"created_at", h.created_at}};
}

// One stored entry, or why it cannot be used.
std::variant<webhook, std::string> entry_of(const json::value& item) {
  if (!item.is_object()) return std::string{"not a JSON object"};
  const auto& o = item.get_object();
  auto str = [&](const char* k) { return o.contains(k) && o.at(k).is_string() ? std::string{o.at(k).get_string()} : std::string{}; };
  webhook h;
  h.id = str("id");
  h.event = str("event");
  h.url = str("url");
  h.created_at = str("created_at");
  h.signed_ = o.contains("signed") && o.at("signed").is_bool() && o.at("signed").get_bool();
  if (h.id.empty() || h.id.size() > 64) return std::string{"no usable id"};
  if (h.event != "*" && kernel::hooks::find_event(h.event) == nullptr) return std::string{"an unsupported event"};
  if (auto u = parse_http_url(h.url); !u) return u.error().message;
  return h;
}

// Skips counted by reason, reported as one line each: a file of 10,000 bad entries is one line.
struct skip_counter {
  std::map<std::string, std::size_t> reasons;
  void add(const std::string& why) { ++reasons[why]; }
  void report(std::vector<std::string>& notes, const fs::path& file) const {
    for (const auto& [why, n] : reasons) notes.push_back(file.string() + ": skipped " + std::to_string(n) + " webhook(s): " + why);
  }
};

}  // namespace

std::vector<std::string> webhook_registry::load() {
  std::vector<std::string> notes;
  load_saved(notes);
  // Delivery starts whatever the file held: webhooks added later need the dispatcher too.
  stream_ = bus_.open_stream({"*"}, 10000);
  asio::co_spawn(ex_, dispatch(), asio::detached);
  return notes;
}

void webhook_registry::load_saved(std::vector<std::string>& notes) {
  const fs::path file = list_file(root_);
  auto text = kernel::engine::read_file_if_exists(file);
  if (!text) {
    notes.push_back(text.error().message + "; no webhooks loaded");
    return;
  }
  if (!*text) return;
  boost::system::error_code ec;
  auto doc = json::parse(**text, ec);
  if (ec || !doc.is_array()) {
    notes.push_back(file.string() + ": not a JSON list; no webhooks loaded (the file is replaced when a webhook is next added or removed)");
    return;
  }
  skip_counter skipped;
  std::vector<webhook> usable;
  for (const auto& item : doc.get_array()) {
    auto entry = entry_of(item);
    if (auto* why = std::get_if<std::string>(&entry)) {
      skipped.add(*why);
    } else if (usable.size() >= max_) {
      skipped.add("beyond the limit of " + std::to_string(max_) + " webhooks");
    } else if (std::any_of(usable.begin(), usable.end(), [&](const webhook& u) { return u.id == std::get<webhook>(entry).id; })) {
      skipped.add("a duplicate id");
    } else {
      usable.push_back(std::move(std::get<webhook>(entry)));
    }
  }
  json::object secrets;
  if (std::any_of(usable.begin(), usable.end(), [](const webhook& h) { return h.signed_; })) {
    // Start-up, before the loop runs: blocking here delays nothing. The stretch it costs (a
    // passphrase vault) is kept, so requests later do not pay it again.
    auto view = vault_.open().get(secrets_provider);
    if (view) secrets = std::move(view->fields);
    else notes.push_back("webhook secrets: " + view.error().message + "; signed webhooks skipped");
  }
  for (auto& h : usable) {
    if (h.signed_) {
      auto* secret = secrets.if_contains(h.id);
      // A signed webhook without its secret would deliver unsigned: skip it.
      if (secret == nullptr || !secret->is_string()) {
        skipped.add("signed, but its secret is not in the vault");
        continue;
      }
      h.secret = vault::secret{std::string_view{secret->get_string()}};
    }
    install(std::move(h));
  }
  skipped.report(notes, file);
}

void webhook_registry::stop() {
  stopped_ = true;
  for (auto& [id, s] : hooks_) s->stop();
}

asio::awaitable<void> webhook_registry::dispatch() {
  // The stream ends (nullopt at once) when the bus stops; the server stops this registry first.
  for (auto stream = stream_; !stopped_;) {
    auto e = co_await stream->next(std::chrono::seconds{60});
    if (!e || stopped_) continue;
    std::shared_ptr<const delivery> d;  // serialised once, for every webhook that wants it
    for (auto& [id, s] : hooks_) {
      if (!s->wants(e->event)) continue;
      if (!d) d = std::make_shared<const delivery>(delivery{e->event, e->seq, json::serialize(e->to_json())});
      s->offer(d);
    }
  }
}

std::shared_ptr<webhook_sender> webhook_registry::install(webhook hook) {
  const std::string id = hook.id;
  auto s = std::make_shared<webhook_sender>(ex_, std::move(hook), policy_);
  if (auto old = hooks_.find(id); old != hooks_.end()) old->second->stop();
  hooks_[id] = s;
  s->start();
  return s;
}

asio::awaitable<kernel::result<std::string>> webhook_registry::add(std::string event, std::string url, std::string secret) {
  if (event != "*" && kernel::hooks::find_event(event) == nullptr) co_return kernel::fail(kernel::errc::bad_request, "unsupported event");
  if (auto u = parse_http_url(url); !u) co_return u.error();
  auto same = [&] {
    return std::find_if(hooks_.begin(), hooks_.end(), [&](const auto& h) { return h.second->hook().event == event && h.second->hook().url == url; });
  };
  const bool replacing = same() != hooks_.end();
  if (!replacing && hooks_.size() + pending_ >= max_) {
    co_return fail(errc::too_many_webhooks, "at most " + std::to_string(max_) +
                                                " webhooks can be registered (the server's limit); remove one first");
  }
  std::string id = replacing ? same()->first : new_id();
  if (!secret.empty()) {
    ++pending_;
    auto store = [&](vault::vault& v) { return v.set(secrets_provider, {id}, json::value(secret)); };
    auto set = co_await vault_.run(store);
    --pending_;
    if (!set) co_return kernel::fail(kernel::errc::bad_request, "webhook secrets are kept in the vault, which refused it: " + set.error().message);
    // Another request may have registered this event and url meanwhile: this one replaces it.
    if (auto other = same(); other != hooks_.end() && other->first != id) {
      other->second->stop();
      hooks_.erase(other);
    }
  }
  webhook h;
  h.id = id;
  h.event = std::move(event);
  h.url = std::move(url);
  h.signed_ = !secret.empty();
  h.secret = vault::secret{secret};
  h.created_at = kernel::engine::utc_timestamp();
  install(std::move(h));
  if (auto saved = save(); !saved) co_return saved.error();
  co_return id;
}

asio::awaitable<kernel::result<void>> webhook_registry::remove(std::string event, std::string url) {
  auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const auto& h) { return h.second->hook().event == event && h.second->hook().url == url; });
  if (it == hooks_.end()) co_return kernel::fail(kernel::errc::bad_request, "no webhook for that event and url");
  const std::string id = it->first;
  const bool had_secret = it->second->hook().signed_;
  it->second->stop();
  hooks_.erase(it);
  auto saved = save();
  auto forget = [&](vault::vault& v) { return v.unset(secrets_provider, {id}); };
  if (had_secret) (void)co_await vault_.run(forget);
  co_return saved;
}

json::array webhook_registry::list_json() const {
  json::array out;
  for (const auto& [id, s] : hooks_) out.emplace_back(describe(s->hook()));
  return out;
}

std::vector<kernel::hooks::subscriber_stats> webhook_registry::stats() const {
  std::vector<kernel::hooks::subscriber_stats> out;
  for (const auto& [id, s] : hooks_) out.push_back(s->stats());
  return out;
}

kernel::result<void> webhook_registry::save() const {
  json::array list;
  for (const auto& [id, s] : hooks_) list.emplace_back(describe(s->hook()));
  if (auto dir = kernel::engine::ensure_directory(list_file(root_).parent_path()); !dir) return dir.error();
  return kernel::engine::write_file_atomic(list_file(root_), json::serialize(list) + "\n", 0600);
}

}  // namespace rio::http::detail

// The original's security API under /api/security (issue 16, point 8), behind its own flag,
// features.enable_security_api (403 "security api disabled" while off, the default): the vault's
// summary and key rotation, the audit log's tail, and the sandbox's network rules. No answer
// carries a secret value: the vault routes return names and fingerprints, and a rotation says
// where the new key is, never what it is. Vault work runs on the vault worker, off the loop. The
// sandbox routes are in route_sandbox.cpp.
#include "api_errors.hpp"
#include "audit_tail.hpp"
#include "routes.hpp"
#include "text_util.hpp"

#include <rio/vault/vault.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <variant>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// The operator's COMFYVN_SECURITY_LOG_FILE (the server's environment; a request never names a
// file), else the file rio's vault writes. `~/` is expanded as in the original; a relative path
// is taken from rio's root, never the working directory.
fs::path log_path(const api_state& state) {
  auto configured = state.config.env("COMFYVN_SECURITY_LOG_FILE");
  if (!configured || trim_space(*configured).empty()) return vault::vault_paths{state.config.settings.root}.audit_log;
  fs::path p{std::string{trim_space(*configured)}};
  if (auto home = state.config.env("HOME"); home && p.string().starts_with("~/")) p = fs::path{*home} / p.string().substr(2);
  return p.is_absolute() ? p : state.config.settings.root / p;
}

// The vault's own refusals (bad input, a vault that cannot be opened) are 400, as the original's
// SecretStoreError was; failures of the machine (disk, audit log, libsodium) are 500.
int vault_status(const sdk::error& e) {
  using vault::errc;
  for (auto c : {errc::io_error, errc::audit_failed, errc::crypto_unavailable}) {
    if (e.code == vault::make_error_code(c)) return 500;
  }
  return 400;
}

// The original's describe_all(): names only.
json::array providers_json(const std::vector<vault::provider_summary>& list) {
  json::array out;
  for (const auto& p : list) {
    out.emplace_back(json::object{{"provider", p.provider},
                                  {"stored_keys", string_array(p.stored_keys)},
                                  {"override_keys", string_array(p.override_keys)},
                                  {"present", p.present}});
  }
  return out;
}

json::value nullable(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

}  // namespace

std::optional<api_response> require_security_api(api_state& state, const api_request& req) {
  return refuse_unless_enabled(state.security_api, "security api disabled", req);
}

asio::awaitable<api_response> get_secret_providers(api_state& state, const api_request& req) {
  if (auto off = require_security_api(state, req)) co_return *off;
  auto list = [](vault::vault& v) { return v.list(); };
  auto listing = co_await state.vault.run(list);
  if (!listing) co_return error_response(vault_status(listing.error()), listing.error().message, req.request_id);
  co_return json_response(200, json::object{{"ok", true},
                                            {"providers", providers_json(listing->providers)},
                                            {"log_path", log_path(state).string()},
                                            {"fingerprint", nullable(listing->fingerprint)},
                                            {"warnings", string_array(listing->warnings)}});
}

namespace {

using new_key_or_refusal = std::variant<api_response, std::optional<vault::master_key>>;

// The optional body {"new_key": "..."}: checked, and parsed as a key, before the vault is touched
// (the original wrote an invalid key over its key file first, and lost the vault).
new_key_or_refusal read_new_key(const api_request& req) {
  if (trim_space(req.body).empty()) return std::optional<vault::master_key>{};
  boost::system::error_code ec;
  json::value doc = json::parse(req.body, ec);
  if (ec || !doc.is_object()) return validation_error("body must be a JSON object", req.request_id);
  const json::value* given = doc.get_object().if_contains("new_key");
  if (given == nullptr || given->is_null()) return std::optional<vault::master_key>{};
  if (!given->is_string()) return error_response(400, "new_key must be a string", req.request_id, "new_key");
  const std::string_view text = given->get_string();
  if (trim_space(text).empty()) return error_response(400, "new_key must be non-empty", req.request_id, "new_key");
  auto key = vault::master_key::parse(text, "new_key");
  if (!key) return error_response(400, key.error().message, req.request_id, "new_key");
  return std::optional<vault::master_key>{std::move(*key)};
}

struct rotation_outcome {
  vault::result<vault::rotation_result> rotated;
  vault::result<vault::vault_listing> listing;
};

// Where the new key is and what the operator has to do; the key itself stays on the server.
void describe_new_key(const vault::rotation_result& r, const vault::vault_paths& paths, json::object& o) {
  switch (r.source) {
    case vault::key_source::key_file:
      o["key_source"] = "key_file";
      o["key_file"] = paths.key_file.string();
      o["notice"] = "the new key is in " + paths.key_file.string() + " (mode 0600)";
      return;
    case vault::key_source::environment:
      o["key_source"] = "environment";
      o["key_file"] = r.pending_key_file.string();
      o["notice"] = "COMFYVN_SECRETS_KEY no longer opens the vault: set it to the key in " + r.pending_key_file.string() +
                    " (mode 0600; the API never sends it). The next write with the new key removes that file.";
      return;
    case vault::key_source::passphrase:
      o["key_source"] = "passphrase";
      o["notice"] = r.passphrase_changed
                        ? "re-encrypted under COMFYVN_SECRETS_NEW_PASSPHRASE: set COMFYVN_SECRETS_PASSPHRASE to it"
                        : "re-encrypted under a fresh salt (same passphrase)";
      return;
  }
}

json::object rotation_json(rotation_outcome& done, const api_state& state) {
  const auto& r = *done.rotated;
  std::vector<std::string> warnings = r.warnings;
  json::array providers;
  if (done.listing) {
    providers = providers_json(done.listing->providers);
  } else {
    warnings.push_back("the rotation is complete, but the providers could not be listed: " + done.listing.error().message);
  }
  json::object o{{"ok", true},
                 {"fingerprint", r.fingerprint},
                 {"previous_fingerprint", r.previous_fingerprint},
                 {"providers", std::move(providers)},
                 {"log_path", log_path(state).string()}};
  describe_new_key(r, vault::vault_paths{state.config.settings.root}, o);
  o["warnings"] = string_array(warnings);
  return o;
}

}  // namespace

asio::awaitable<api_response> post_rotate_key(api_state& state, const api_request& req) {
  if (auto off = require_security_api(state, req)) co_return *off;
  auto read = read_new_key(req);
  if (auto* refused = std::get_if<api_response>(&read)) co_return std::move(*refused);
  auto key = std::move(std::get<std::optional<vault::master_key>>(read));
  auto job = [&key](vault::vault& v) {
    rotation_outcome out{v.rotate(std::move(key)), vault::vault_listing{}};
    if (out.rotated) out.listing = v.list();
    return out;
  };
  auto done = co_await state.vault.run(job);
  if (!done.rotated) co_return error_response(vault_status(done.rotated.error()), done.rotated.error().message, req.request_id);
  co_return json_response(200, rotation_json(done, state));
}

namespace {

// ?limit: an integer (sign allowed), clamped to 1..200 as in the original; anything else is its
// 422. Digits beyond any integer type clamp too.
std::optional<std::size_t> audit_limit(std::string_view text) {
  text = trim_space(text);
  const bool negative = text.starts_with('-');
  if (text.starts_with('-') || text.starts_with('+')) text.remove_prefix(1);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  if (negative) return 1;
  const auto significant = text.find_first_not_of('0');
  if (significant == std::string_view::npos) return 1;
  text.remove_prefix(significant);
  if (text.size() > 3) return 200;
  return std::clamp<std::size_t>(std::stoul(std::string{text}), 1, 200);
}

json::value audit_item(const std::string& line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) return json::object{{"raw", line}};
  return v;
}

}  // namespace

api_response get_security_audit(api_state& state, const api_request& req) {
  if (auto off = require_security_api(state, req)) return *off;
  std::size_t limit = 50;
  if (auto q = req.query.find("limit"); q != req.query.end()) {
    auto parsed = audit_limit(q->second);
    if (!parsed) return validation_error("limit must be an integer", req.request_id, "query", "limit");
    limit = *parsed;
  }
  const fs::path file = log_path(state);
  auto tail = read_audit_tail(file, limit);
  if (!tail) return error_response(500, tail.error().message, req.request_id);
  json::object o{{"ok", true}, {"items", json::array{}}, {"log_path", file.string()}};
  if (!tail->exists) return json_response(200, std::move(o));
  auto& items = o["items"].as_array();
  for (const auto& line : tail->lines) items.push_back(audit_item(line));
  o["last_modified"] = tail->modified;
  return json_response(200, std::move(o));
}

}  // namespace rio::http::detail

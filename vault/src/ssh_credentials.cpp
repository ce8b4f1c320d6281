#include <rio/vault/ssh_credentials.hpp>

#include <cctype>
#include <charconv>
#include <cmath>

namespace rio::vault {
namespace {

namespace json = boost::json;

sdk::error invalid(std::string_view field, std::string_view rule) {
  return fail(errc::invalid_field, "connection field '" + std::string{field} + "': " + std::string{rule});
}

const json::value* first_of(const json::object& o, std::string_view a, std::string_view b) {
  if (const auto* v = o.if_contains(a)) return v;
  return o.if_contains(b);
}

std::string_view text_of(const json::value& v) { return {v.get_string().data(), v.get_string().size()}; }

// An integer from a JSON number or a decimal string; nullopt for anything else.
std::optional<std::int64_t> integer_of(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return v.get_uint64() > INT64_MAX ? std::nullopt : std::optional<std::int64_t>(static_cast<std::int64_t>(v.get_uint64()));
  if (v.is_double()) {
    double d = v.get_double();
    if (std::trunc(d) == d && std::fabs(d) < 1e15) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  std::string_view s = text_of(v);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

std::optional<double> number_of(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (!v.is_string()) return std::nullopt;
  std::string_view s = text_of(v);
  double out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

bool looks_like_private_key(std::string_view pem) {
  auto begin = pem.find("-----BEGIN ");
  return begin != std::string_view::npos && pem.find("PRIVATE KEY-----", begin) != std::string_view::npos;
}

}  // namespace

bool valid_ssh_user(std::string_view user) noexcept {
  if (user.empty() || user.size() > 32) return false;
  if (!(std::isalpha(static_cast<unsigned char>(user.front())) || user.front() == '_')) return false;
  if (user.back() == '$') user.remove_suffix(1);
  for (char c : user) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || !(std::isalnum(u) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

result<ssh_credentials> extract_ssh_credentials(const json::object& merged) {
  ssh_credentials out;
  if (const auto* v = first_of(merged, "user", "username")) {
    if (!v->is_string() || !valid_ssh_user(text_of(*v))) {
      return invalid("user", "must be 1-32 characters of letters, digits, '_', '.', '-' (optionally ending in '$'), "
                             "starting with a letter or '_'");
    }
    out.user = std::string{text_of(*v)};
  }
  if (const auto* v = merged.if_contains("port")) {
    auto port = integer_of(*v);
    if (!port) return invalid("port", "must be an integer");
    if (*port < 1 || *port > 65535) return invalid("port", "must be between 1 and 65535");
    out.port = static_cast<std::uint16_t>(*port);
  }
  if (const auto* v = first_of(merged, "identity", "identity_file")) {
    if (!v->is_string() || v->get_string().empty() || text_of(*v).find_first_of(std::string_view{"\0\n\r", 3}) != std::string_view::npos) {
      return invalid("identity", "must be a non-empty path without NUL or newline characters");
    }
    out.identity = std::string{text_of(*v)};
  }
  if (const auto* v = merged.if_contains("private_key")) {
    if (!v->is_string() || !looks_like_private_key(text_of(*v))) {
      return invalid("private_key", "must be PEM or OpenSSH private key text (\"-----BEGIN ... PRIVATE KEY-----\")");
    }
    out.private_key = secret{text_of(*v)};
  }
  if (const auto* v = first_of(merged, "passphrase", "key_passphrase")) {
    if (!v->is_string()) return invalid("passphrase", "must be a string");
    out.passphrase = secret{text_of(*v)};
  }
  if (const auto* v = first_of(merged, "connect_timeout", "timeout")) {
    auto seconds = number_of(*v);
    if (!seconds || !(*seconds > 0) || *seconds > 3600) {
      return invalid("connect_timeout", "must be a number of seconds greater than 0 and at most 3600");
    }
    out.connect_timeout = std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(*seconds * 1000))};
  }
  return out;
}

}  // namespace rio::vault

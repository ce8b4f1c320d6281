#include <rio/kernel/engine/redactor.hpp>

#include <algorithm>
#include <cctype>

namespace rio::kernel::engine {
namespace {

bool iequals_prefix(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

bool contains_icase(std::string_view text, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (iequals_prefix(text, i, word)) return true;
  }
  return false;
}

bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
         std::isspace(static_cast<unsigned char>(c));
}

// Schemes whose `user@` names an account, not a credential.
bool account_scheme(std::string_view scheme) {
  for (std::string_view s : {"ssh", "sftp", "scp", "git+ssh", "ssh+git", "rsync"}) {
    if (scheme.size() == s.size() && iequals_prefix(scheme, 0, s)) return true;
  }
  return false;
}

// `scheme://user:password@host`: the password goes, user and host stay (they help debugging).
// `https://TOKEN@host` (a token as the user name, which GitHub and others accept): all of it
// goes, except for ssh-like schemes. The user information ends at the last '@' before the path,
// so a password with an unencoded '@' goes whole.
std::string mask_url_passwords(std::string text) {
  std::size_t from = 0;
  while ((from = text.find("://", from)) != std::string::npos) {
    std::size_t scheme_start = from;
    while (scheme_start > 0 && (std::isalnum(static_cast<unsigned char>(text[scheme_start - 1])) ||
                                text[scheme_start - 1] == '+' || text[scheme_start - 1] == '-' || text[scheme_start - 1] == '.')) {
      --scheme_start;
    }
    const std::string scheme = text.substr(scheme_start, from - scheme_start);
    const std::size_t start = from + 3;
    std::size_t end = start;
    while (end < text.size() && !ends_authority(text[end])) ++end;
    const std::size_t at = end > start ? text.rfind('@', end - 1) : std::string::npos;
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = text.find(':', start);
      if (colon < at) {
        text.replace(colon + 1, at - colon - 1, redactor::mask);
        end = colon + 1 + redactor::mask.size() + (end - at);
      } else if (!account_scheme(scheme)) {
        text.replace(start, at - start, redactor::mask);
        end = start + redactor::mask.size() + (end - at);
      }
    }
    from = end;
  }
  return text;
}

// `Bearer <token>` (HTTP Authorization headers echoed by curl -v and friends).
std::string mask_bearer(std::string text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!iequals_prefix(text, i, "bearer ")) {
      ++i;
      continue;
    }
    std::size_t start = i + 7;
    std::size_t end = start;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' && text[end] != '\'') ++end;
    if (end > start) text.replace(start, end - start, redactor::mask);
    i = start + redactor::mask.size();
  }
  return text;
}

}  // namespace

void redactor::add(std::string_view value) {
  while (!value.empty()) {
    auto eol = value.find('\n');
    std::string_view line = value.substr(0, eol);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    bool known = std::any_of(values_.begin(), values_.end(), [&](const vault::secret& v) { return v.reveal() == line; });
    if (line.size() >= 4 && !known) values_.emplace_back(line);
    if (eol == std::string_view::npos) break;
    value.remove_prefix(eol + 1);
  }
  std::sort(values_.begin(), values_.end(),
            [](const vault::secret& a, const vault::secret& b) { return a.reveal().size() > b.reveal().size(); });
}

void redactor::add_if_secret_name(std::string_view name, std::string_view value) {
  static constexpr std::string_view words[] = {"token", "secret", "password", "passwd", "pass", "key", "auth",
                                               "credential", "cookie", "session"};
  for (auto w : words) {
    if (contains_icase(name, w)) return add(value);
  }
}

std::string redactor::apply(std::string_view text) const {
  std::string out{text};
  for (const auto& secret_value : values_) {
    const std::string_view v = secret_value.reveal();
    std::size_t at = 0;
    while ((at = out.find(v, at)) != std::string::npos) {
      out.replace(at, v.size(), mask);
      at += mask.size();
    }
  }
  return mask_bearer(mask_url_passwords(std::move(out)));
}

}  // namespace rio::kernel::engine

#pragma once
// Removes credentials from text before it reaches a log, a manifest, a response or a terminal:
// every known secret value (vault key material and passphrases, secret-looking env values), plus
// patterns that tools commonly echo (`scheme://user:password@`, `Authorization: Bearer x`).

#include <rio/vault/secret.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::engine {

class redactor {
 public:
  /** Values shorter than 4 characters are ignored (they would mask ordinary text). Multi-line
      values (PEM keys) are registered line by line. */
  void add(std::string_view secret_value);
  /** Registers `value` when `name` looks like a credential (TOKEN, SECRET, PASSWORD, KEY, ...). */
  void add_if_secret_name(std::string_view name, std::string_view value);

  std::string apply(std::string_view text) const;

  static constexpr std::string_view mask = "[redacted]";

 private:
  // Longest first, so a value containing another is masked whole; wiped when rio lets go of them.
  std::vector<vault::secret> values_;
};

}  // namespace rio::kernel::engine

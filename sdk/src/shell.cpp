#include <rio/sdk/shell.hpp>

namespace rio::sdk {

std::string shell_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

result<std::string> shell_quote_path(std::string_view path) {
  if (path.empty() || path.front() != '~') return shell_quote(path);
  if (path == "~") return std::string{"\"$HOME\""};
  if (path[1] != '/') {
    return fail(errc::invalid_option,
                "path '" + std::string{path} + "': the ~user form is not supported; use ~/ or an absolute path");
  }
  // "$HOME" is expanded by the remote shell; the rest stays literal.
  std::string rest{path.substr(2)};
  if (rest.empty()) return std::string{"\"$HOME\"/"};
  return "\"$HOME\"/" + shell_quote(rest);
}

std::string_view shell_prelude() noexcept {
  // Plain POSIX sh: it must behave the same under dash, busybox sh and bash --posix.
  static constexpr std::string_view text = R"sh(rio_sudo() {
  if [ "$(id -u)" = 0 ]; then "$@"; return $?; fi
  if ! command -v sudo >/dev/null 2>&1; then
    echo "rio: this step needs root: connect as root or install sudo with passwordless rights" >&2
    return 1
  fi
  sudo -n "$@"
}
rio_pkg_manager() {
  # The kernel's preflight chose it from /etc/os-release (RIO_PKG_MANAGER); else look around.
  case ${RIO_PKG_MANAGER:-} in apt-get|dnf) echo "$RIO_PKG_MANAGER"; return 0 ;; none)
    echo "rio: unsupported platform: neither apt-get nor dnf is available" >&2; return 3 ;; esac
  if command -v apt-get >/dev/null 2>&1; then echo apt-get
  elif command -v dnf >/dev/null 2>&1; then echo dnf
  else echo "rio: unsupported platform: neither apt-get nor dnf is available" >&2; return 3
  fi
}
rio_pkg_missing() {
  rio_m=$1; shift
  for rio_p in "$@"; do
    case $rio_m in
      apt-get) dpkg-query -W -f='${Status}' "$rio_p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$rio_p" ;;
      dnf) rpm -q "$rio_p" >/dev/null 2>&1 || printf '%s ' "$rio_p" ;;
    esac
  done
}
rio_pkg_install() {
  rio_m=$(rio_pkg_manager) || return $?
  if [ "$rio_m" = apt-get ]; then rio_list=$1; else rio_list=$2; fi
  # The lists are space-separated package names: word splitting is intended here.
  rio_missing=$(rio_pkg_missing "$rio_m" $rio_list)
  if [ -z "$rio_missing" ]; then return 0; fi
  case $rio_m in
    apt-get) rio_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
             rio_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $rio_missing ;;
    dnf) rio_sudo dnf install -y -q $rio_missing ;;
  esac
}
rio_download() {
  rio_part="$2.rio-part.$$"
  if curl -fsSL --retry 3 -o "$rio_part" "$1"; then
    mv -f "$rio_part" "$2"
  else
    rio_rc=$?; rm -f "$rio_part"; echo "rio: download failed (curl exit $rio_rc): $1" >&2; return $rio_rc
  fi
}
)sh";
  return text;
}

std::string cleanup_on_exit(std::string_view cleanup) {
  constexpr std::string_view quiet = "trap '' HUP INT PIPE TERM; ";
  std::string out = "trap " + shell_quote(std::string{quiet} + std::string{cleanup}) + " EXIT\n";
  for (const auto& [signal, status] : {std::pair{"HUP", "129"}, {"INT", "130"}, {"PIPE", "141"}, {"TERM", "143"}}) {
    out += "trap " + shell_quote(std::string{quiet} + "exit " + status) + " " + signal + "\n";
  }
  return out;
}

std::string with_prelude(std::string_view body) {
  std::string text{shell_prelude()};
  text += body;
  return text;
}

}  // namespace rio::sdk

// The fixture upstreams' scripts. State that a real host would keep system-wide (installed
// packages, a running daemon) lives in $HOME/.rio-fixture, so every throwaway host (its own
// $HOME) starts as a fresh machine even when several hosts share one set of fixtures.

#include <rio/kernel/sandbox/fixture_scripts.hpp>

#include <rio/sdk/shell.hpp>

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

constexpr std::string_view common = R"sh(#!/bin/sh
# rio sandbox stub (fixture upstreams): never touches the real system.
rio_fx_log=@CALLS_LOG@
rio_fx_state="$HOME/.rio-fixture"
rio_fx_record() { printf '%s\n' "$*" >>"$rio_fx_log"; }
rio_fx_has_pkg() { grep -qxF "$1" "$rio_fx_state/packages" 2>/dev/null; }
)sh";

// apt-get and dnf: `update`/`makecache` succeed, `install` records the packages as installed.
constexpr std::string_view package_manager = R"sh(rio_fx_record @TOOL@ "$@"
rio_cmd=
rio_pkgs=
for rio_a in "$@"; do
  case $rio_a in
    -*) ;;
    *) if [ -z "$rio_cmd" ]; then rio_cmd=$rio_a; else rio_pkgs="$rio_pkgs $rio_a"; fi ;;
  esac
done
case $rio_cmd in
  update|makecache) echo "@TOOL@ (rio sandbox): package lists are up to date" ;;
  install)
    mkdir -p "$rio_fx_state" || exit 1
    for rio_p in $rio_pkgs; do
      rio_fx_has_pkg "$rio_p" || printf '%s\n' "$rio_p" >>"$rio_fx_state/packages"
    done ;;
  *) echo "@TOOL@ (rio sandbox stub): '$rio_cmd' is not supported" >&2; exit 100 ;;
esac
)sh";

constexpr std::string_view dpkg_query = R"sh(rio_rc=0
for rio_a in "$@"; do
  case $rio_a in
    -*) ;;
    *) if rio_fx_has_pkg "$rio_a"; then printf 'install ok installed'
       else echo "dpkg-query: no packages found matching $rio_a" >&2; rio_rc=1; fi ;;
  esac
done
exit $rio_rc
)sh";

constexpr std::string_view rpm = R"sh(rio_rc=0
for rio_a in "$@"; do
  case $rio_a in
    -*) ;;
    *) if rio_fx_has_pkg "$rio_a"; then echo "$rio_a-0-1.rio_fixture"
       else echo "package $rio_a is not installed"; rio_rc=1; fi ;;
  esac
done
exit $rio_rc
)sh";

constexpr std::string_view sudo = R"sh(rio_fx_record sudo "$@"
while [ $# -gt 0 ]; do
  case $1 in
    -n|-E|-H) shift ;;
    --) shift; break ;;
    -*) echo "sudo (rio sandbox stub): option $1 is not supported" >&2; exit 1 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: sudo [-n] command [args...]" >&2; exit 1; }
exec "$@"
)sh";

constexpr std::string_view systemctl = R"sh(rio_fx_record systemctl "$@"
exit 0
)sh";

// Ollama's health URL is answered from the mark `ollama serve` leaves; every other network URL is
// refused, and the machine's curl is allowed file:// only.
constexpr std::string_view curl = R"sh(for rio_a in "$@"; do
  case $rio_a in
    http://*/api/version|https://*/api/version)
      if [ -f "$rio_fx_state/ollama-serving" ]; then printf '{"version":"0.0.0-rio-fixture"}\n'; exit 0; fi
      echo "curl: (7) Failed to connect: no Ollama server was started in this sandbox" >&2; exit 7 ;;
    http://*|https://*|ftp://*|ftps://*|scp://*|sftp://*|ws://*|wss://*)
      echo "curl (rio sandbox stub): network access is disabled in the sandbox: $rio_a" >&2; exit 7 ;;
  esac
done
if [ -x @REAL_CURL@ ]; then exec @REAL_CURL@ --proto =file --proto-redir =file "$@"; fi
# No curl on this machine: serve file:// URLs with cp (what rio_download needs: -o FILE URL).
rio_out=
rio_url=
while [ $# -gt 0 ]; do
  case $1 in
    -o|--output) rio_out=$2; shift ;;
    file://*) rio_url=$1 ;;
  esac
  shift
done
[ -n "$rio_url" ] || { echo "curl (rio sandbox stub): only file:// URLs work in the sandbox" >&2; exit 1; }
rio_src=${rio_url#file://}
[ -f "$rio_src" ] || { echo "curl: (37) Couldn't open file $rio_src" >&2; exit 37; }
if [ -n "$rio_out" ]; then cp "$rio_src" "$rio_out"; else cat "$rio_src"; fi
)sh";

constexpr std::string_view node = R"sh(if ! rio_fx_has_pkg nodejs; then
  echo "node: not found (rio sandbox: the nodejs package is not installed)" >&2; exit 127
fi
case ${1-} in
  -p|--print)
    case ${2-} in
      *process.versions.node.split*) echo 20 ;;
      *process.version*) echo v20.11.1 ;;
      *) echo "node (rio sandbox stub): cannot evaluate: ${2-}" >&2; exit 1 ;;
    esac ;;
  -v|--version) echo v20.11.1 ;;
  *) rio_fx_record node "$@"; echo "node (rio sandbox stub): runs no scripts" >&2; exit 1 ;;
esac
)sh";

constexpr std::string_view npm = R"sh(if ! rio_fx_has_pkg npm; then
  echo "npm: not found (rio sandbox: the npm package is not installed)" >&2; exit 127
fi
case ${1-} in
  -v|--version) echo 10.2.4 ;;
  install|i|ci)
    rio_fx_record npm "$@"
    [ -f package.json ] || { echo "npm ERR! enoent Could not read package.json in $(pwd)" >&2; exit 254; }
    mkdir -p node_modules && : >node_modules/.rio-fixture ;;
  *) rio_fx_record npm "$@" ;;
esac
)sh";

// The python that creates the virtualenv: `-c` answers the system-packages check (true once
// python3-venv or python3 is "installed"), `-m venv DIR` creates DIR/bin/python (venv_python).
constexpr std::string_view python = R"sh(while [ "${1-}" = -I ] || [ "${1-}" = -S ]; do shift; done
case ${1-} in
  -c)
    if rio_fx_has_pkg python3-venv || rio_fx_has_pkg python3; then exit 0; fi
    echo "ModuleNotFoundError: No module named 'ensurepip' (rio sandbox: install python3-venv)" >&2; exit 1 ;;
  -m)
    [ "${2-}" = venv ] && [ -n "${3-}" ] ||
      { echo "python3 (rio sandbox stub): only -m venv DIR is supported" >&2; exit 1; }
    rio_fx_has_pkg python3-venv || rio_fx_has_pkg python3 ||
      { echo "The virtual environment was not created because ensurepip is not available (rio sandbox)" >&2; exit 1; }
    rio_fx_record python3 "$@"
    mkdir -p "$3/bin" || exit 1
    printf 'home = /usr/bin\nversion = 3.11.2\n' >"$3/pyvenv.cfg"
    cat >"$3/bin/python" <<'RIO_EOF'
@VENV_PYTHON@
RIO_EOF
    chmod 755 "$3/bin/python" && ln -sf python "$3/bin/python3" ;;
  -V|--version) echo "Python 3.11.2" ;;
  *) echo "python3 (rio sandbox stub): only -c, -m venv and --version are supported" >&2; exit 1 ;;
esac
)sh";

constexpr std::string_view venv_python = R"sh(#!/bin/sh
# rio sandbox stub: a virtualenv's python that knows `-m pip --version` and `-m pip install`.
rio_fx_log=@CALLS_LOG@
if [ "${1-}" = -m ] && [ "${2-}" = pip ]; then
  shift 2
  case ${1-} in
    --version) echo "pip 23.0.1 from $(dirname "$0")/../lib/python3.11/site-packages/pip (python 3.11)" ;;
    install)
      printf '%s\n' "pip $*" >>"$rio_fx_log"
      rio_prev=
      for rio_a in "$@"; do
        if [ "$rio_prev" = -r ] && [ ! -f "$rio_a" ]; then
          echo "ERROR: Could not open requirements file: $rio_a" >&2; exit 1
        fi
        rio_prev=$rio_a
      done ;;
    *) echo "pip (rio sandbox stub): '${1-}' is not supported" >&2; exit 1 ;;
  esac
  exit 0
fi
case ${1-} in
  -V|--version) echo "Python 3.11.2" ;;
  *) echo "python (rio sandbox venv stub): only -m pip is supported" >&2; exit 1 ;;
esac)sh";

constexpr std::string_view lms = R"sh(#!/bin/sh
# rio sandbox stub: LM Studio's lms CLI, enough for `daemon up` and `daemon status --json`.
rio_fx_log=@CALLS_LOG@
rio_fx_state="$HOME/.rio-fixture"
case "${1-} ${2-}" in
  "daemon up")
    printf '%s\n' "lms $*" >>"$rio_fx_log"
    mkdir -p "$rio_fx_state" && : >"$rio_fx_state/lms-daemon" && echo "llmster is running (rio sandbox)" ;;
  "daemon down")
    printf '%s\n' "lms $*" >>"$rio_fx_log"
    rm -f "$rio_fx_state/lms-daemon" ;;
  "daemon status")
    if [ -f "$rio_fx_state/lms-daemon" ]; then echo '{"status": "running"}'; else echo '{"status": "stopped"}'; fi ;;
  *)
    case ${1-} in
      version|--version) echo "lms 0.0.0-rio-fixture" ;;
      *) printf '%s\n' "lms $*" >>"$rio_fx_log"; echo "lms (rio sandbox stub): '$*' is not supported" >&2; exit 1 ;;
    esac ;;
esac)sh";

constexpr std::string_view lms_installer = R"sh(#!/usr/bin/env bash
# Offline stand-in for https://lmstudio.ai/install.sh (rio sandbox): installs an lms stub.
set -euo pipefail
printf '%s\n' "lmstudio-install.sh" >>@CALLS_LOG@
mkdir -p "$HOME/.lmstudio/bin"
cat >"$HOME/.lmstudio/bin/lms" <<'RIO_EOF'
@LMS@
RIO_EOF
chmod 755 "$HOME/.lmstudio/bin/lms"
echo "lms installed to $HOME/.lmstudio/bin/lms (rio sandbox fixture)"
)sh";

// `ollama serve` marks the server as answering (the curl stub serves /api/version from the mark)
// and exits at once: nothing listens on a port.
constexpr std::string_view ollama = R"sh(#!/bin/sh
# rio sandbox stub: Ollama's CLI; `serve` leaves a mark instead of running a server.
rio_fx_log=@CALLS_LOG@
rio_fx_state="$HOME/.rio-fixture"
case ${1-} in
  serve)
    printf '%s\n' "ollama serve" >>"$rio_fx_log"
    mkdir -p "$rio_fx_state" && printf '%s\n' "${OLLAMA_HOST-}" >"$rio_fx_state/ollama-serving" ;;
  -v|--version) echo "ollama version is 0.0.0-rio-fixture" ;;
  *) printf '%s\n' "ollama $*" >>"$rio_fx_log"; echo "ollama (rio sandbox stub): '$*' is not supported" >&2; exit 1 ;;
esac)sh";

constexpr std::string_view ollama_install = R"sh(#!/bin/sh
# Offline stand-in for https://ollama.com/install.sh (rio sandbox): installs an ollama stub.
set -e
printf '%s\n' "ollama-install.sh" >>@CALLS_LOG@
mkdir -p "$HOME/.local/bin"
cat >"$HOME/.local/bin/ollama" <<'RIO_EOF'
@OLLAMA@
RIO_EOF
chmod 755 "$HOME/.local/bin/ollama"
echo ">>> Ollama ${OLLAMA_VERSION:-latest} installed to $HOME/.local/bin/ollama (rio sandbox fixture)"
)sh";

std::string with_log(std::string_view text, const fs::path& calls_log) {
  return replace_all(std::string{text}, "@CALLS_LOG@", sdk::shell_quote(calls_log.string()));
}

std::string stub(std::string_view body, const fs::path& calls_log) {
  return with_log(std::string{common} + std::string{body}, calls_log);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> stub_scripts(const fs::path& calls_log, const fs::path& real_curl) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("apt-get", replace_all(stub(package_manager, calls_log), "@TOOL@", "apt-get"));
  out.emplace_back("dnf", replace_all(stub(package_manager, calls_log), "@TOOL@", "dnf"));
  out.emplace_back("dpkg-query", stub(dpkg_query, calls_log));
  out.emplace_back("rpm", stub(rpm, calls_log));
  out.emplace_back("sudo", stub(sudo, calls_log));
  out.emplace_back("systemctl", stub(systemctl, calls_log));
  const std::string curl_path = real_curl.empty() ? std::string{"/nonexistent/curl"} : real_curl.string();
  out.emplace_back("curl", replace_all(stub(curl, calls_log), "@REAL_CURL@", sdk::shell_quote(curl_path)));
  out.emplace_back("node", stub(node, calls_log));
  out.emplace_back("npm", stub(npm, calls_log));
  out.emplace_back(python_stub_name,
                   replace_all(stub(python, calls_log), "@VENV_PYTHON@", with_log(venv_python, calls_log)));
  return out;
}

std::string lmstudio_installer(const fs::path& calls_log) {
  return replace_all(with_log(lms_installer, calls_log), "@LMS@", with_log(lms, calls_log));
}

std::string ollama_installer(const fs::path& calls_log) {
  return replace_all(with_log(ollama_install, calls_log), "@OLLAMA@", with_log(ollama, calls_log));
}

}  // namespace rio::kernel::sandbox::detail

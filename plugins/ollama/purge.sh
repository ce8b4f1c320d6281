# rio uninstall --purge: Ollama's documented Linux uninstall (docs/linux.md), which also removes
# every model: the plan listed each path before this ran.
if command -v systemctl >/dev/null 2>&1 && [ -f /etc/systemd/system/ollama.service ]; then
  rio_sudo systemctl disable --now ollama 2>/dev/null
  rio_sudo rm -rf /etc/systemd/system/ollama.service /etc/systemd/system/ollama.service.d || exit 1
  rio_sudo systemctl daemon-reload || exit 1
fi
if rio_bin=$(command -v ollama); then
  # install.sh unpacks the libraries beside the binary's directory: BINDIR/../lib/ollama.
  rio_lib=$(dirname "$(dirname "$rio_bin")")/lib/ollama
  rm -rf "$rio_lib" 2>/dev/null || rio_sudo rm -rf "$rio_lib" || exit 1
  rm -f "$rio_bin" 2>/dev/null || rio_sudo rm -f "$rio_bin" || exit 1
fi
if id ollama >/dev/null 2>&1; then rio_sudo userdel ollama || exit 1; fi
if getent group ollama >/dev/null 2>&1; then rio_sudo groupdel ollama || exit 1; fi
if [ -e /usr/share/ollama ]; then rio_sudo rm -rf /usr/share/ollama || exit 1; fi
rm -rf "$HOME/.ollama"

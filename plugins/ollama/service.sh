case {{service}} in
  auto)
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then rio_service=systemd
    else rio_service=background; fi ;;
  systemd|background) rio_service={{service}} ;;
  *) echo "rio: option 'service' must be auto, systemd or background, not "{{service}} >&2; exit 2 ;;
esac
if [ "$rio_service" = systemd ]; then
  command -v systemctl >/dev/null 2>&1 ||
    { echo "rio: service is 'systemd' but this host has no systemctl; use 'background'" >&2; exit 1; }
  rio_dropin=/etc/systemd/system/ollama.service.d/rio.conf
  rio_unit_addr=$(printf '%s' {{api_address}} | sed -e 's/[\\"]/\\&/g' -e 's/%/%%/g')
  rio_want=$(printf '[Service]\nEnvironment="OLLAMA_HOST=%s"' "$rio_unit_addr")
  if [ "$(cat "$rio_dropin" 2>/dev/null)" != "$rio_want" ]; then
    rio_sudo mkdir -p /etc/systemd/system/ollama.service.d &&
      printf '%s\n' "$rio_want" | rio_sudo tee "$rio_dropin" >/dev/null &&
      rio_sudo systemctl daemon-reload || exit $?
  fi
  rio_sudo systemctl enable ollama && rio_sudo systemctl restart ollama || exit $?
else
  mkdir -p "$HOME/.ollama" || exit 1
  OLLAMA_HOST={{api_address}} nohup ollama serve </dev/null >>"$HOME/.ollama/serve.log" 2>&1 &
  echo "$!" >"$HOME/.ollama/rio-serve.pid"  # rio uninstall stops this server, and only this one
fi
rio_i=0
while [ "$rio_i" -lt {{health_timeout}} ]; do
  curl -fsS "http://"{{api_address}}"/api/version" >/dev/null 2>&1 && exit 0
  sleep 1; rio_i=$((rio_i + 1))
done
echo "rio: Ollama did not answer on "{{api_address}}" within {{health_timeout}} s" >&2
exit 1

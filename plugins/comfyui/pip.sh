# rio_pip ARGS...: pip, or uv's pip interface, on ComfyUI's virtualenv (the installer option, which
# rio resolves per host: uv when the host has it). uv's official installer puts it in $HOME/.local/bin,
# which a non-interactive SSH session's PATH usually lacks.
rio_pip() {
  if [ {{installer}} = uv ]; then
    rio_uv=$(command -v uv 2>/dev/null) || rio_uv="$HOME/.local/bin/uv"
    "$rio_uv" pip "$@" --python {{install_dir}}/venv/bin/python
  else
    {{install_dir}}/venv/bin/python -m pip "$@"
  fi
}

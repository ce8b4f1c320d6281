{{>pip}}
# The torch guard: the requirements install under a constraint that pins the torch, torchvision
# and torchaudio the torch step installed, so nothing here can replace or downgrade them (ComfyUI's
# requirements.txt lists them without versions; a later plain install would take PyPI's build).
rio_pip freeze >venv/.rio-freeze.txt
grep -E '^(torch|torchvision|torchaudio)==' venv/.rio-freeze.txt >venv/.rio-torch-constraints.txt || :
if ! rio_pip install -r requirements.txt -c venv/.rio-torch-constraints.txt 2>venv/.rio-pip-stderr.txt; then
  cat venv/.rio-pip-stderr.txt >&2
  if grep -q torch venv/.rio-pip-stderr.txt && grep -qiE 'conflict|ResolutionImpossible|unsatisfiable' venv/.rio-pip-stderr.txt; then
    echo "rio: torch guard: requirements.txt asks for a torch, torchvision or torchaudio other than the installed" \
      "$(tr '\n' ' ' <venv/.rio-torch-constraints.txt)- nothing was replaced. Pin a compatible version, or set the torch option to the line it needs" >&2
  fi
  exit 1
fi

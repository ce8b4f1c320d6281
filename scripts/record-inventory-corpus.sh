#!/usr/bin/env bash
# Records what ansible-core answers for each inventory of the differential corpus
# (tests/inventory/corpus, README.md there): per host the address, port and user its ssh
# connection would use, and the hosts `--limit PATTERN` selects for each pattern in NAME.limits.
# Needs ansible-core (Debian: apt-get install ansible-core); CI does not run this, it only
# compares rio against the recorded NAME.expected.json files.
#   scripts/record-inventory-corpus.sh [CASE...]    (default: every case)
set -euo pipefail

corpus="$(cd "$(dirname "$0")/../tests/inventory/corpus" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# sed, not head: head would close the pipe early and ansible would fail on the broken pipe.
version="$(ansible --version | sed -n 1p)"
export ANSIBLE_INVENTORY_UNPARSED_FAILED=True ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_NOCOLOR=1

# The connection values the ssh plugin would read from the merged host variables: for each of
# host, port and user the last defined of (ansible_X, ansible_ssh_X) wins (config/manager.py).
resolve_hosts() {
  python3 -c '
import json, sys
data = json.load(sys.stdin)
hostvars = data.get("_meta", {}).get("hostvars", {})
names = set(hostvars)
for group, body in data.items():
    if group != "_meta":
        names.update(body.get("hosts", []))
out = {}
for name in sorted(names):
    v = hostvars.get(name, {})
    def pick(*keys):
        found = None
        for k in keys:
            if v.get(k) is not None:
                found = v[k]
        return found
    address = str(pick("ansible_host", "ansible_ssh_host") or name)
    if address.startswith("[") and address.endswith("]"):
        address = address[1:-1]
    port = pick("ansible_port", "ansible_ssh_port")
    user = pick("ansible_user", "ansible_ssh_user")
    out[name] = {"address": address, "port": int(port) if port not in (None, "") else 22,
                 "user": str(user) if user not in (None, "") else None}
print(json.dumps(out, sort_keys=True))'
}

# Sorted host names for one --limit pattern, or null when ansible-core fails (no host matched).
limit_hosts() {
  local source="$1" pattern="$2" listing
  if listing="$(ansible -i "$source" all --limit "$pattern" --list-hosts 2>/dev/null)"; then
    printf '%s\n' "$listing" | sed -n 's/^    //p' | python3 -c 'import json,sys; print(json.dumps(sorted(l.strip() for l in sys.stdin if l.strip())))'
  else
    echo null
  fi
}

record() {
  local file="$1" base source
  base="${file%.*}"
  source="$file"
  # ansible-inventory JSON comes from a script inventory: a file that prints it.
  if [[ "$file" == *.json ]]; then
    source="$work/$(basename "$base").sh"
    printf '#!/bin/sh\ncat %q\n' "$file" > "$source"
    chmod +x "$source"
  fi
  local hosts limits="{}" pattern
  if ! hosts="$(ansible-inventory -i "$source" --list 2>/dev/null | resolve_hosts)"; then
    echo "$(basename "$file"): ansible-core could not read it" >&2
    hosts=null
  fi
  if [[ -f "$base.limits" ]]; then
    while IFS= read -r pattern || [[ -n "$pattern" ]]; do
      [[ -z "$pattern" ]] && continue
      limits="$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d[sys.argv[2]]=json.loads(sys.argv[3]); print(json.dumps(d))' \
        "$limits" "$pattern" "$(limit_hosts "$source" "$pattern")")"
    done < "$base.limits"
  fi
  python3 -c 'import json,sys; print(json.dumps({"recorded_with": sys.argv[1], "hosts": json.loads(sys.argv[2]),
    "limits": json.loads(sys.argv[3])}, indent=1, sort_keys=True))' \
    "$version" "$hosts" "$limits" > "$base.expected.json"
}

if [[ $# -gt 0 ]]; then
  for name in "$@"; do
    for file in "$corpus/$name".ini "$corpus/$name".yml "$corpus/$name".json; do
      if [[ -f "$file" ]]; then record "$file"; fi
    done
  done
else
  for file in "$corpus"/*.ini "$corpus"/*.yml "$corpus"/*.json; do
    [[ "$file" == *.expected.json || "$file" == *.rio.json ]] && continue
    if [[ -f "$file" ]]; then record "$file"; fi
  done
fi

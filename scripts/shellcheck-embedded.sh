#!/bin/sh
# Lints the shell scripts rio embeds in its binaries (module steps, sandbox fixture stubs), as
# POSIX sh: CTest runs it (test `shellcheck`, label unit) with every file that rio_embed_text()
# marked SHELL. Usage: scripts/shellcheck-embedded.sh FILE...
#
# A module script holds {{option}} placeholders, which rio replaces with the shell-quoted option
# value before the script runs. shellcheck cannot parse them (`{{python}} -c ...` looks like a
# brace group), so each file is checked as rendered: every placeholder becomes the quoted constant
# 'rio_option', as rio quotes values. The checks that then only say "this is a constant" (SC2050,
# SC2157, SC2170, SC2194) are off for that reason; every other check applies.
set -eu

if ! command -v shellcheck >/dev/null 2>&1; then
  echo "shellcheck-embedded.sh: shellcheck is not installed (scripts/install-deps.sh --test installs it)" >&2
  exit 1
fi
[ $# -gt 0 ] || { echo "usage: shellcheck-embedded.sh FILE..." >&2; exit 2; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for file in "$@"; do
  rendered="$scratch/$(basename "$file")"
  # A snippet reference {{>name}} stands alone on its line: a no-op in its place.
  sed -e "s/{{>[a-z0-9_]*}}/:/g" -e "s/{{[A-Za-z0-9_]*}}/'rio_option'/g" "$file" >"$rendered"
  # Reported under the file's own name, with the rendered file's line numbers (the same lines).
  if ! report=$(cd "$scratch" && shellcheck --shell=sh --format=gcc \
                  --exclude=SC2050,SC2157,SC2170,SC2194 "$(basename "$file")"); then
    printf '%s\n' "$report" | sed "s|^$(basename "$file"):|$file:|"
    status=1
  fi
done
[ "$status" = 0 ] && echo "shellcheck: $# embedded scripts are clean"
exit "$status"

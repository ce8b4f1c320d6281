#!/usr/bin/env bash
# Verifies the Debian packages in DIR (scripts/package.sh --check runs it): unpacks rio and rio-sdk
# into an empty directory with dpkg-deb -x, checks that the files each must ship are there and
# that nothing lands outside the paths they may use, reads the control fields (Depends computed
# from the shared libraries), runs the unpacked rio, and verifies the systemd unit.
# Usage: scripts/package-check.sh DIR
set -euo pipefail
dir=${1:?usage: package-check.sh DIR}
fail() { echo "package-check: $*" >&2; exit 1; }

rio_deb=$(ls "$dir"/rio_*.deb 2>/dev/null | head -n 1)
sdk_deb=$(ls "$dir"/rio-sdk_*.deb 2>/dev/null | head -n 1)
[ -n "$rio_deb" ] || fail "no rio_*.deb in $dir"
[ -n "$sdk_deb" ] || fail "no rio-sdk_*.deb in $dir"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root="$scratch/root"
mkdir -p "$root"

# Each package alone: its own files, and only where it may put files.
check_package() {  # DEB NAME ALLOWED-PREFIX-REGEX REQUIRED-FILE...
  local deb=$1 name=$2 allowed=$3; shift 3
  local list="$scratch/$name.files"
  dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' | grep -v '/$' | grep -v '^$' >"$list"
  [ "$(dpkg-deb -f "$deb" Package)" = "$name" ] || fail "$deb is not package $name"
  for f in "$@"; do grep -qx "$f" "$list" || fail "$name lacks $f"; done
  if grep -Ev "$allowed" "$list" >"$scratch/$name.stray"; then
    fail "$name ships files outside its paths: $(tr '\n' ' ' <"$scratch/$name.stray")"
  fi
  echo "package-check: $name: $(wc -l <"$list") files, the $# required ones present"
}

check_package "$rio_deb" rio \
  "^(usr/bin/rio|usr/lib/$multiarch/rio/plugins/rio-[a-z]+\.so|usr/share/man/man1/rio\.1|usr/share/bash-completion/completions/rio|lib/systemd/system/rio\.service|usr/lib/systemd/system/rio\.service|usr/lib/sysusers\.d/rio\.conf|etc/rio/serve\.env|usr/share/doc/rio/.*)$" \
  usr/bin/rio \
  "usr/lib/$multiarch/rio/plugins/rio-comfyui.so" "usr/lib/$multiarch/rio/plugins/rio-sillytavern.so" \
  "usr/lib/$multiarch/rio/plugins/rio-lmstudio.so" "usr/lib/$multiarch/rio/plugins/rio-ollama.so" \
  usr/share/man/man1/rio.1 usr/share/bash-completion/completions/rio \
  usr/lib/systemd/system/rio.service usr/lib/sysusers.d/rio.conf etc/rio/serve.env \
  usr/share/doc/rio/install.md usr/share/doc/rio/README.md
check_package "$sdk_deb" rio-sdk \
  "^(usr/include/rio/sdk/.*|usr/lib/$multiarch/librio_sdk(_testing)?\.a|usr/lib/$multiarch/cmake/RioSDK/.*|usr/share/rio/sdk/examples/.*)$" \
  usr/include/rio/sdk/module.hpp usr/include/rio/sdk/abi_version.hpp \
  "usr/lib/$multiarch/librio_sdk.a" "usr/lib/$multiarch/cmake/RioSDK/RioSDKConfig.cmake" \
  "usr/lib/$multiarch/cmake/RioSDK/RioPlugin.cmake"

# Control fields: Depends from dpkg-shlibdeps names Debian 12's library packages.
depends=$(dpkg-deb -f "$rio_deb" Depends)
for lib in libssh2-1 libsodium23 libboost-json1.81.0 libstdc++6 libc6; do
  case ", $depends," in *", $lib "*|*", $lib,"*) ;; *) fail "rio's Depends lacks $lib: $depends" ;; esac
done
case $(dpkg-deb -f "$sdk_deb" Depends) in *libboost1.81-dev*) ;; *) fail "rio-sdk must depend on libboost1.81-dev" ;; esac
dpkg-deb -e "$rio_deb" "$scratch/control"
for s in postinst prerm postrm conffiles; do [ -f "$scratch/control/$s" ] || fail "rio lacks the control file $s"; done
grep -qx /etc/rio/serve.env "$scratch/control/conffiles" || fail "/etc/rio/serve.env is not a conffile"
echo "package-check: rio Depends: $depends"

# The unpacked program runs from its own tree: it finds its modules beside it (../lib/<multiarch>/rio/plugins).
dpkg-deb -x "$rio_deb" "$root"
dpkg-deb -x "$sdk_deb" "$root"
home="$scratch/home"
mkdir -p "$home"
run() { env -i HOME="$home" PATH=/usr/bin:/bin LC_ALL=C "$root/usr/bin/rio" "$@"; }
run --version | head -n 1 | grep -q '^rio ' || fail "rio --version did not answer"
modules=$(run modules)
for m in comfyui sillytavern lmstudio ollama; do
  grep -q "^$m " <<<"$modules" || fail "the unpacked rio does not list module $m: $modules"
done
paths=$(run paths --json)
grep -q "\"root\":\"$home/.local/state/rio\"" <<<"$paths" || fail "rio paths: the root is not ~/.local/state/rio: $paths"
grep -q "\"plugins\":\"$root/usr/lib/$multiarch/rio/plugins\"" <<<"$paths" || fail "rio paths: plugins not found beside the binary: $paths"
echo "package-check: the unpacked rio runs: $(run --version | head -n 1), 4 modules"

# The unit: systemd's own checker, with this machine's systemd units for the targets it names.
# The program it starts is not installed here, so a copy of the unit points at the unpacked one.
mkdir -p "$scratch/unit"
sed "s|/usr/bin/rio |$root/usr/bin/rio |" "$root/usr/lib/systemd/system/rio.service" >"$scratch/unit/rio.service"
grep -q "^ExecStart=$root/usr/bin/rio serve" "$scratch/unit/rio.service" || fail "rio.service does not start /usr/bin/rio serve"
verify=$(systemd-analyze verify --man=no "$scratch/unit/rio.service" 2>&1) || fail "systemd-analyze verify rejects rio.service: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warns about rio.service: $verify"
echo "package-check: rio.service verified; all checks passed"

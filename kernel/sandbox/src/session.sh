#!/bin/sh
# Every login to this throwaway host starts here (sshd ForceCommand). sshd already set HOME, PATH,
# TMPDIR and SHLVL (SetEnv) but starts sessions in the account's real home directory.
cd "$HOME" || exit 1
if [ -n "${SSH_ORIGINAL_COMMAND+x}" ]; then
  exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"
fi
exec "${SHELL:-/bin/sh}"

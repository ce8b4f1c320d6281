# rio rollback: the virtualenv exactly as the update found it (save_rollback kept its `pip freeze`
# and rio's stamps in $RIO_ROLLBACK_DIR): the saved versions back, then what the update added out.
rio_py={{install_dir}}/venv/bin/python
rio_rb=$RIO_ROLLBACK_DIR
[ -f "$rio_rb/pip-freeze.txt" ] || { echo "rio: no saved pip freeze in $rio_rb" >&2; exit 1; }
"$rio_py" -m pip install --no-deps -r "$rio_rb/pip-freeze.txt" || exit $?
rio_names() { grep -v '^-' | sed 's/[ =@].*//' | sort -u; }
"$rio_py" -m pip freeze | rio_names >"$rio_rb/now.txt" || exit 1
rio_names <"$rio_rb/pip-freeze.txt" >"$rio_rb/then.txt" || exit 1
rio_extra=$(comm -23 "$rio_rb/now.txt" "$rio_rb/then.txt")
rm -f "$rio_rb/now.txt" "$rio_rb/then.txt"
if [ -n "$rio_extra" ]; then
  # Package names are [A-Za-z0-9._-]: split on purpose, one argument each.
  # shellcheck disable=SC2086
  "$rio_py" -m pip uninstall -y $rio_extra || exit $?
fi
# rio's stamps as they were, so the install steps' checks agree with the restored packages.
for rio_f in .rio-requirements.sha256 .rio-torch .rio-torch-constraints.txt; do
  if [ -f "$rio_rb/$rio_f" ]; then cp "$rio_rb/$rio_f" {{install_dir}}/venv/"$rio_f" || exit 1; fi
done

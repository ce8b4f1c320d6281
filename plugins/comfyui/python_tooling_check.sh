command -v git >/dev/null 2>&1 && rio_py=$(command -v {{python}}) && {
  case $rio_py in /*/bin/*) set -- "${rio_py%/bin/*}"/lib/python3.*/venv/__init__.py ;; *) set -- ;; esac
  if [ $# = 1 ] && [ -f "$1" ]; then test -f "${1%/venv/__init__.py}/ensurepip/__init__.py"
  else {{python}} -I -S -c 'import sys, posix; h = lambda m: any(posix.access(p + "/" + m + "/__init__.py", posix.R_OK) for p in sys.path); sys.exit(not (h("ensurepip") and h("venv")))' >/dev/null 2>&1; fi
}

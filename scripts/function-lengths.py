#!/usr/bin/env python3
"""Lengths of the C++ functions in rio's product code, longest first.

A brace-matching scanner, not a parser: comments, string and character literals (raw strings
included) and preprocessor lines are blanked first, then every `{` at namespace or class scope
whose header ends like a function (`) const`, `) noexcept`, `) -> T`, a constructor's
initialiser list) opens a function body; everything inside it (lambdas, local classes) belongs to
that function. Aggregate initialisers and tables at namespace scope are data, not functions.
That is good enough for this codebase; it is not a general C++ tool.

A function's length counts its lines from the first line of its header to its closing brace.
A function that should stay long says why on the line just before its header:

    // long-function: one table literal, one row per command

Examples:
    scripts/function-lengths.py --top 15
    scripts/function-lengths.py --max 60 --exclude kernel/cli
    scripts/function-lengths.py --max 60 http/src vault/src
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# rio's product code (tests, benchmarks and fixtures are not product code).
DEFAULT_ROOTS = ["kernel/src", "kernel/sandbox", "kernel/cli", "http/src", "vault/src", "sdk/src", "plugins"]
SOURCE_SUFFIXES = {".cpp", ".cc", ".cxx", ".hpp", ".hh", ".h", ".ipp"}
MARKER = re.compile(r"//\s*long-function:\s*(\S.*)$")

# What may follow a function's closing parenthesis before its body.
QUALIFIERS = re.compile(
    r"^\s*(?:(?:const|volatile|noexcept|override|final|mutable|&&|&|try)\s*)*"
    r"(?:->\s*[\w:<>,\s*&\[\]]+)?\s*(?:requires\b.*)?$",
    re.S,
)
CTOR_INIT = re.compile(r"^\s*(?:noexcept\s*)?:[^:]", re.S)
TYPE_HEAD = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:typedef\s+)?(class|struct|union|enum)\b", re.S)
NAMESPACE_HEAD = re.compile(r"^\s*(?:inline\s+)?(?:namespace\b|extern\b)", re.S)


@dataclass
class Function:
    path: str
    line: int
    length: int
    name: str
    exempt: str | None


def blank(text: str) -> str:
    """Comments, literals and preprocessor lines become spaces; newlines stay (line numbers hold)."""
    out: list[str] = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            i = _skip_preprocessor(text, i, out)
            continue
        if c == "\n":
            out.append(c)
            line_start = True
            i += 1
            continue
        if not c.isspace():
            line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(_spaces_keeping_newlines(text[i:j]))
            i = j
        elif c == "R" and text.startswith('"', i + 1) and not _is_ident_char(text, i - 1, allow_prefix=True):
            i = _skip_raw_string(text, i, out)
        elif c == '"' or (c == "'" and not _digit_separator(text, i)):
            i = _skip_quoted(text, i, c, out)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _is_ident_char(text: str, i: int, allow_prefix: bool = False) -> bool:
    if i < 0:
        return False
    ch = text[i]
    if allow_prefix and ch in "uUL8":  # u8R"...", LR"...": the prefix is part of the literal
        return _is_ident_char(text, i - 1 if ch != "8" else i - 2)
    return ch.isalnum() or ch == "_"


def _digit_separator(text: str, i: int) -> bool:
    """1'000'000: a quote between digits is not a character literal."""
    return i > 0 and text[i - 1].isalnum() and i + 1 < len(text) and text[i + 1].isalnum() and text[i - 1].isdigit()


def _spaces_keeping_newlines(s: str) -> str:
    return "".join("\n" if ch == "\n" else " " for ch in s)


def _skip_preprocessor(text: str, i: int, out: list[str]) -> int:
    j = i
    while True:
        k = text.find("\n", j)
        if k < 0:
            k = len(text)
        if k > 0 and text[k - 1] == "\\" and k < len(text):
            j = k + 1
            continue
        out.append(_spaces_keeping_newlines(text[i:k]))
        return k


def _skip_raw_string(text: str, i: int, out: list[str]) -> int:
    open_paren = text.find("(", i + 2)
    delim = text[i + 2 : open_paren]
    end = text.find(")" + delim + '"', open_paren)
    end = len(text) if end < 0 else end + len(delim) + 2
    out.append(_spaces_keeping_newlines(text[i:end]))
    return end


def _skip_quoted(text: str, i: int, quote: str, out: list[str]) -> int:
    j = i + 1
    while j < len(text) and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" else 1
    j = min(j + 1, len(text))
    out.append(_spaces_keeping_newlines(text[i:j]))
    return j


def classify(header: str) -> str:
    """What a `{` at namespace or class scope opens: ns, class, func, ctor_init or data."""
    h = header.strip()
    if NAMESPACE_HEAD.match(h):
        return "ns"
    if TYPE_HEAD.match(h) and "(" not in h.split("{")[0].split(":")[0]:
        return "class"
    close = h.rfind(")")
    if close >= 0 and "=" not in _outside_parens(h):
        after = h[close + 1 :]
        if QUALIFIERS.match(after):
            return "func"
        if CTOR_INIT.match(after) or (CTOR_INIT.search(_after_first_call(h)) and h.endswith("}")):
            return "func"
    if re.search(r"\)\s*(?:noexcept\s*)?:\s*[^;]*\w$", h) and "=" not in _outside_parens(h):
        return "ctor_init"  # `: member_{` inside a constructor's initialiser list
    return "data"


def _outside_parens(h: str) -> str:
    """The header without anything inside (), [] or <>: a default argument's `=` is not a data initialiser."""
    out, depth = [], 0
    for ch in h:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    text = "".join(out)
    return re.sub(r"operator\s*(==|!=|<=|>=|=)", "operator", text)


def _after_first_call(h: str) -> str:
    depth = 0
    for k, ch in enumerate(h):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return h[k + 1 :]
    return ""


def function_name(header: str) -> str:
    h = re.sub(r"^\s*template\s*<[^{]*?>\s*(?=\w)", "", header.strip())
    depth = 0
    for k, ch in enumerate(h):
        if ch == "<":
            depth += 1
        elif ch == ">" and depth > 0:
            depth -= 1
        elif ch == "(" and depth == 0:
            m = re.search(r"((?:[\w~]+::)*(?:operator\s*[^\w\s(]+|operator\s+\w+|~?\w+))\s*$", h[:k])
            if m:
                return m.group(1)
            if h[:k].rstrip().endswith("operator()") or h[k:].startswith("()("):
                return "operator()"
    return h.split("(")[0].split()[-1] if h.split("(")[0].split() else "?"


def scan(path: Path, display: str) -> list[Function]:
    raw = path.read_text(encoding="utf-8", errors="replace")
    markers = {}
    for number, text in enumerate(raw.splitlines(), start=1):
        m = MARKER.search(text)
        if m:
            markers[number] = m.group(1).strip()
    code = blank(raw)
    found: list[Function] = []
    stack: list[tuple[str, int, str]] = []  # (kind, header line, name) per open brace
    header_start = 0
    line = 1
    parens = 0  # open parentheses at declaration scope: a brace inside them is an expression
    for i, ch in enumerate(code):
        if ch == "\n":
            line += 1
        elif ch in "()" and _at_declaration_scope(stack):
            parens = max(0, parens + (1 if ch == "(" else -1))
        elif ch == ";" and _at_declaration_scope(stack):
            header_start = i + 1
            parens = 0
        elif ch == "{":
            if parens > 0 and _at_declaration_scope(stack):
                stack.append(("ctor_init", line, ""))
                continue
            kind, first_line, name = _open_brace(code, header_start, i, line, stack)
            stack.append((kind, first_line, name))
            if kind != "ctor_init":
                header_start = i + 1
        elif ch == "}" and stack:
            kind, first_line, name = stack.pop()
            if kind == "func":
                exempt = markers.get(first_line - 1)
                found.append(Function(display, first_line, line - first_line + 1, name, exempt))
            if kind != "ctor_init" and _at_declaration_scope(stack):
                header_start = i + 1
    return found


def _at_declaration_scope(stack: list[tuple[str, int, str]]) -> bool:
    return all(kind in ("ns", "class") for kind, _, _ in stack)


def _open_brace(code: str, header_start: int, i: int, line: int, stack) -> tuple[str, int, str]:
    if not _at_declaration_scope(stack):
        return "block", line, ""
    header = code[header_start:i]
    kind = classify(header)
    stripped = header.lstrip()
    first_line = line - header.count("\n") + header[: len(header) - len(stripped)].count("\n")
    name = function_name(header) if kind == "func" else ""
    return kind, first_line, name


def source_files(roots: list[str], excludes: list[str], base: Path):
    ex = [os.path.normpath(e) for e in excludes]
    for root in roots:
        start = base / root
        files = [start] if start.is_file() else sorted(p for p in start.rglob("*") if p.suffix in SOURCE_SUFFIXES)
        for f in files:
            rel = os.path.normpath(os.path.relpath(f, base))
            if any(rel == e or rel.startswith(e + os.sep) for e in ex):
                continue
            yield f, rel


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="List the longest C++ functions in rio's product code (a brace-matching scanner).",
        epilog="A function may stay long with '// long-function: <reason>' on the line before it.",
    )
    parser.add_argument("paths", nargs="*", help=f"files or folders to scan (default: {' '.join(DEFAULT_ROOTS)})")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="print the N longest functions (default 20)")
    parser.add_argument("--max", type=int, metavar="LINES",
                        help="list the functions longer than LINES without a long-function marker; exit 1 if any")
    parser.add_argument("--exclude", action="append", default=[], metavar="PATH",
                        help="skip files under PATH (repeatable), e.g. --exclude kernel/cli")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                        help="the repository root the paths are relative to (default: this script's repository)")
    args = parser.parse_args(argv)
    base = Path(args.root)
    functions: list[Function] = []
    for f, rel in source_files(args.paths or DEFAULT_ROOTS, args.exclude, base):
        functions.extend(scan(f, rel))
    functions.sort(key=lambda fn: (-fn.length, fn.path, fn.line))
    if args.max is None:
        for fn in functions[: args.top]:
            print(_row(fn))
        return 0
    over = [fn for fn in functions if fn.length > args.max]
    for fn in over:
        print(_row(fn))
    failing = [fn for fn in over if fn.exempt is None]
    print(f"{len(failing)} function(s) over {args.max} lines without a long-function marker"
          f" ({len(over) - len(failing)} marked, {len(functions)} scanned)")
    return 1 if failing else 0


def _row(fn: Function) -> str:
    note = f"  (long-function: {fn.exempt})" if fn.exempt else ""
    return f"{fn.length:5d}  {fn.path}:{fn.line}  {fn.name}{note}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

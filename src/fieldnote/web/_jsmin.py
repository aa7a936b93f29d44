"""A small, conservative JavaScript minifier for the intercept widget.

It removes comments and whitespace and nothing else: no renaming, no rewriting, so
the minified script does exactly what the source does. Strings, template literals
and regular-expression literals are copied verbatim (a ``/`` starts a regex where an
expression may start: after an operator, an opening bracket, a comma, or a keyword
such as ``return``). A line break is kept where automatic semicolon insertion could
depend on it — between something that can end a statement and something that can
start one — so code that leans on ASI keeps its meaning; elsewhere it goes. Two
tokens that would fuse (``a b``, ``+ +``, ``- -``, ``/ /``) keep one space.

Template literals with a ``${`` expression that itself contains a backtick are not
supported (the widget has none); ``minify`` raises rather than guess.
"""

from __future__ import annotations

__all__ = ["MinifyError", "minify"]

_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$\\")
#: After one of these a ``/`` begins a regular expression, not a division.
_REGEX_AFTER = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset(
    {
        "return",
        "typeof",
        "instanceof",
        "in",
        "of",
        "new",
        "delete",
        "void",
        "throw",
        "case",
        "do",
        "else",
    }
)
#: A statement may end with one of these (ASI: a line break after it may matter) ...
_ENDS = _IDENT | frozenset(")]}'\"`+-")
#: ... and start with one of these.
_STARTS = _IDENT | frozenset("([{'\"`+-/!~")


class MinifyError(ValueError):
    """Source the minifier will not touch (an unterminated literal or comment)."""


def _is_ident(ch: str) -> bool:
    return ch in _IDENT or ord(ch) > 127


def _last_word(out: list[str]) -> str:
    text = "".join(out[-12:])
    i = len(text)
    while i > 0 and _is_ident(text[i - 1]):
        i -= 1
    return text[i:]


def _regex_allowed(out: list[str]) -> bool:
    prev = out[-1][-1] if out else ""
    if not prev or prev in _REGEX_AFTER:
        return True
    return _is_ident(prev) and _last_word(out) in _REGEX_KEYWORDS


def _scan_string(src: str, i: int) -> int:
    """Index just past the string/template literal starting at ``i``."""
    quote = src[i]
    j = i + 1
    while j < len(src):
        ch = src[j]
        if ch == "\\":
            j += 2
            continue
        if ch == quote:
            return j + 1
        if quote != "`" and ch == "\n":
            break
        if quote == "`" and src.startswith("${", j):
            close = src.find("}", j)
            if close < 0 or "`" in src[j:close]:
                raise MinifyError(f"template literal at {i}: nested backticks are not supported")
        j += 1
    raise MinifyError(f"unterminated string starting at offset {i}")


def _scan_regex(src: str, i: int) -> int:
    j, in_class = i + 1, False
    while j < len(src):
        ch = src[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            break
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            j += 1
            while j < len(src) and _is_ident(src[j]):  # flags
                j += 1
            return j
        j += 1
    raise MinifyError(f"unterminated regular expression at offset {i}")


def _gap(out: list[str], nxt: str, newline: bool) -> str:
    """What replaces a run of whitespace/comments between ``out`` and ``nxt``."""
    prev = out[-1][-1] if out else ""
    if not prev or not nxt:
        return ""
    # A lone + or - cannot end a statement; ++ and -- (postfix) can.
    postfix = prev in "+-" and len(out) > 1 and out[-2][-1:] == prev
    if newline and prev in _ENDS and (prev not in "+-" or postfix) and nxt in _STARTS:
        return "\n"
    if _is_ident(prev) and _is_ident(nxt):
        return " "
    if nxt == "." and _last_word(out)[:1].isdigit():
        return " "  # 1 .toString(): without the space "1." would be a number
    if prev == nxt and prev in "+-/":
        return " "
    return ""


def minify(src: str) -> str:
    out: list[str] = []
    i, n = 0, len(src)
    pending_ws, pending_nl = False, False
    while i < n:
        ch = src[i]
        if ch in " \t\r\n\f\v\ufeff\u00a0":
            pending_ws = True
            pending_nl = pending_nl or ch == "\n"
            i += 1
            continue
        if src.startswith("//", i):
            end = src.find("\n", i)
            i = n if end < 0 else end
            pending_ws = True
            continue
        if src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise MinifyError(f"unterminated comment at offset {i}")
            pending_nl = pending_nl or "\n" in src[i:end]
            pending_ws = True
            i = end + 2
            continue
        if pending_ws:
            out.append(_gap(out, ch, pending_nl))
            pending_ws = pending_nl = False
        if ch in "'\"`":
            j = _scan_string(src, i)
        elif ch == "/" and _regex_allowed([o for o in out if o.strip()]):
            j = _scan_regex(src, i)
        else:
            j = i + 1
        out.append(src[i:j])
        i = j
    return "".join(out).strip() + "\n"

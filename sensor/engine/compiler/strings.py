"""Plain and ``|cased`` strings, with Sigma wildcards ``*``/``?`` and the modifiers that become them.

``contains``/``startswith``/``endswith``, ``base64``, ``utf16*``/``wide`` and ``windash`` are applied
by pySigma at parse time and arrive here (through the IR) as tokens: text, ``*`` and ``?``.
Default comparison is case-insensitive (both sides lower-cased with ``str.lower``); ``|cased`` is
exact. ``*``-only patterns use string methods (linear, no regex); patterns with ``?`` use RE2.
"""

from __future__ import annotations

from collections.abc import Callable

from sensor.engine import regex_guard
from sensor.engine.compiler.base import Compiled, Need, field_key, literal_need, on_low, on_text
from sensor.engine.errors import RuleCompileError
from sensor.engine.ir import WILDCARD_MULTI, WILDCARD_SINGLE

Token = str | int


def glob_matcher(tokens: list[Token]) -> Callable[[str], bool]:
    """A test for a whole string against Sigma wildcard tokens."""
    if WILDCARD_SINGLE in tokens:
        return regex_guard.compile_fullmatch(_glob_regex(tokens))
    pieces: list[str] = [""]
    for token in tokens:
        if token == WILDCARD_MULTI:
            pieces.append("")
        else:
            pieces[-1] += str(token)
    return _star_matcher(pieces)


def _glob_regex(tokens: list[Token]) -> str:
    out = ["(?s)"]
    for token in tokens:
        if token == WILDCARD_MULTI:
            out.append(".*")
        elif token == WILDCARD_SINGLE:
            out.append(".")
        else:
            out.append(regex_guard.escape(str(token)))
    return "".join(out)


def _star_matcher(pieces: list[str]) -> Callable[[str], bool]:
    if len(pieces) == 1:
        literal = pieces[0]
        return literal.__eq__
    first, last = pieces[0], pieces[-1]
    middle = [p for p in pieces[1:-1] if p]
    if not middle:
        if first and last:
            size = len(first) + len(last)
            return lambda v: len(v) >= size and v.startswith(first) and v.endswith(last)
        if first:
            return lambda v: v.startswith(first)
        if last:
            return lambda v: v.endswith(last)
        return lambda v: True
    if len(middle) == 1 and not first and not last:
        only = middle[0]
        return lambda v: only in v

    minimum = len(first) + len(last) + sum(map(len, middle))

    def matches(v: str) -> bool:
        if len(v) < minimum or not v.startswith(first) or not v.endswith(last):
            return False
        pos, end = len(first), len(v) - len(last)
        for piece in middle:  # leftmost placement is optimal for '*'-only globs
            found = v.find(piece, pos, end)
            if found < 0:
                return False
            pos = found + len(piece)
        return True

    return matches


def _literal_need(key: str, tokens: list[Token], cased: bool) -> Need | None:
    literals = [t for t in tokens if isinstance(t, str) and t]
    if not literals:
        return None
    best = max(literals, key=len)
    if cased and not best.isascii():
        return None  # lower-casing is context-dependent for a few non-ASCII letters
    return literal_need(key, best.lower())


def _check(tokens: object) -> list[Token]:
    if not isinstance(tokens, list) or not all(
        isinstance(t, str) or t in (WILDCARD_MULTI, WILDCARD_SINGLE) for t in tokens
    ):
        raise RuleCompileError(f"malformed string tokens {tokens!r}")
    return list(tokens)


def compile_string(field: str | None, tokens: list[Token], cased: bool) -> Compiled:
    tokens = _check(tokens)
    if field is None:  # keyword: matches anywhere in the event text
        if not tokens or tokens[0] != WILDCARD_MULTI:
            tokens.insert(0, WILDCARD_MULTI)
        if tokens[-1] != WILDCARD_MULTI:
            tokens.append(WILDCARD_MULTI)
    key = field_key(field)
    if cased:
        return Compiled(on_text(key, glob_matcher(tokens)), _literal_need(key, tokens, cased))
    lowered: list[Token] = [t.lower() if isinstance(t, str) else t for t in tokens]
    return Compiled(on_low(key, glob_matcher(lowered)), _literal_need(key, lowered, cased))

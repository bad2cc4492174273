"""Plain and ``|cased`` strings, with Sigma wildcards ``*``/``?`` and the modifiers that become them.

``contains``/``startswith``/``endswith``, ``base64``, ``utf16*``/``wide`` and ``windash`` are applied
by pySigma at parse time and arrive here as strings with wildcards (or a ``SigmaExpansion`` of them).
Default comparison is case-insensitive (both sides lower-cased with ``str.lower``); ``|cased`` is
exact. ``*``-only patterns use string methods (linear, no regex); patterns with ``?`` use RE2.
"""

from __future__ import annotations

from collections.abc import Callable

from sigma.types import Placeholder, SigmaCasedString, SigmaString, SpecialChars

from sensor.engine import regex_guard
from sensor.engine.compiler.base import Compiled, Need, field_key, on_low, on_text
from sensor.engine.errors import RuleCompileError

Token = str | SpecialChars


def string_tokens(value: SigmaString) -> list[Token]:
    tokens: list[Token] = []
    for part in value.iter_parts():
        if isinstance(part, Placeholder):
            raise RuleCompileError(f"unresolved placeholder %{part.name}% (|expand): pass a value for it in variables")
        if isinstance(part, str):
            if tokens and isinstance(tokens[-1], str):
                tokens[-1] += part
            else:
                tokens.append(part)
        else:
            tokens.append(part)
    return tokens


def glob_matcher(tokens: list[Token]) -> Callable[[str], bool]:
    """A test for a whole string against Sigma wildcard tokens."""
    if SpecialChars.WILDCARD_SINGLE in tokens:
        return regex_guard.compile_fullmatch(_glob_regex(tokens))
    pieces: list[str] = [""]
    for token in tokens:
        if token is SpecialChars.WILDCARD_MULTI:
            pieces.append("")
        else:
            pieces[-1] += str(token)
    return _star_matcher(pieces)


def _glob_regex(tokens: list[Token]) -> str:
    out = ["(?s)"]
    for token in tokens:
        if token is SpecialChars.WILDCARD_MULTI:
            out.append(".*")
        elif token is SpecialChars.WILDCARD_SINGLE:
            out.append(".")
        else:
            out.append(regex_guard.re2.escape(str(token)))
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
    literals = [str(t) for t in tokens if isinstance(t, str)]
    if not literals:
        return None
    best = max(literals, key=len)
    if cased and not best.isascii():
        return None  # lower-casing is context-dependent for a few non-ASCII letters
    return frozenset({(key, best.lower())})


def compile_string(field: str | None, value: SigmaString) -> Compiled:
    tokens = string_tokens(value)
    if field is None:  # keyword: matches anywhere in the event text
        if not tokens or tokens[0] is not SpecialChars.WILDCARD_MULTI:
            tokens.insert(0, SpecialChars.WILDCARD_MULTI)
        if tokens[-1] is not SpecialChars.WILDCARD_MULTI:
            tokens.append(SpecialChars.WILDCARD_MULTI)
    key = field_key(field)
    cased = isinstance(value, SigmaCasedString)
    if cased:
        return Compiled(on_text(key, glob_matcher(tokens)), _literal_need(key, tokens, cased))
    lowered: list[Token] = [t.lower() if isinstance(t, str) else t for t in tokens]
    return Compiled(on_low(key, glob_matcher(lowered)), _literal_need(key, lowered, cased))

"""Every regular expression the engine evaluates goes through here: RE2 semantics, bounded cost.

RE2 runs in time linear in the input, so no pattern (``(a+)+$`` included) can make the sensor hang
on hostile input. RE2 rejects what needs backtracking: lookahead/lookbehind, backreferences,
possessive quantifiers, atomic groups. pySigma 2 already validates ``|re`` values with RE2 under its
default ``SafePolicy``, so such a rule fails to load with pySigma's message naming the pattern; a
pattern that reaches this module and still fails (too large for ``MAX_PROGRAM_MEMORY``, longer than
``MAX_PATTERN_LENGTH``) raises ``RuleCompileError`` and the rule is reported, never run with Python's
``re``.

Dialect notes (documented in docs/writing-rules.md): ``$`` without ``m`` matches only at the very
end of the text (Python's ``re`` also matches before a final newline); ``\\Z`` is not RE2 syntax
(use ``$``); flags ``i``, ``m``, ``s`` map to RE2's ``(?i)``, ``(?m)``, ``(?s)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import re2

from sensor.engine.errors import RuleCompileError

MAX_PATTERN_LENGTH = 16_384
MAX_PROGRAM_MEMORY = 32 << 20


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_MEMORY
    return options


def compile_search(pattern: str, *, flags: str = "") -> Callable[[str], bool]:
    """A function telling whether ``pattern`` matches anywhere in a string (RE2 ``search``)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleCompileError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
    prefix = f"(?{flags})" if flags else ""
    try:
        compiled = re2.compile(prefix + pattern, options=_options())
    except re2.error as exc:
        raise RuleCompileError(f"regular expression {pattern!r} rejected by RE2: {_reason(exc)}") from exc
    search = compiled.search

    def matches(text: str) -> bool:
        return search(text) is not None

    return matches


def compile_fullmatch(pattern: str) -> Callable[[str], bool]:
    """A function telling whether ``pattern`` matches a whole string (used for ``?`` wildcards)."""
    try:
        compiled = re2.compile(pattern, options=_options())
    except re2.error as exc:
        raise RuleCompileError(f"wildcard pattern rejected by RE2: {_reason(exc)}") from exc
    fullmatch = compiled.fullmatch

    def matches(text: str) -> bool:
        return fullmatch(text) is not None

    return matches


class LiteralSet:
    """Which of many literals occur in a text, in one linear RE2 pass (an Aho-Corasick stand-in)."""

    def __init__(self, literals: Iterable[str], *, regex: bool = False) -> None:
        """``regex``: the items are RE2 patterns (built with ``escape``) rather than plain literals."""
        self.literals = list(literals)
        self._set = re2.Set.SearchSet(_options())
        for literal in self.literals:
            self._set.Add(literal if regex else re2.escape(literal))
        try:
            self._set.Compile()
        except re2.error as exc:
            raise RuleCompileError(f"literal prefilter set rejected by RE2: {_reason(exc)}") from exc
        self._match = self._set._set.Match  # the C++ binding itself: skip the wrapper's type checks

    def matching(self, text: str) -> list[int]:
        """Indices (into ``literals``) of the literals contained in ``text``."""
        return self._match(text.encode("utf-8", "surrogatepass")) or []  # lone surrogates: hostile input


def escape(text: str) -> str:
    """``text`` as an RE2 pattern matching it literally."""
    return re2.escape(text)


def _reason(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, bytes):
        return msg.decode("utf-8", "replace")
    return str(msg)

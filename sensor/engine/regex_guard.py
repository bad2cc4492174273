"""Every regular expression the engine evaluates goes through here: RE2 semantics, bounded cost.

RE2 runs in time linear in the input, so no pattern (``(a+)+$`` included) can make the sensor hang
on hostile input. RE2 rejects what needs backtracking: lookahead/lookbehind, backreferences,
possessive quantifiers, atomic groups. pySigma 2 already validates ``|re`` values with RE2 under its
default ``SafePolicy``, so such a rule fails to load with pySigma's message naming the pattern; a
pattern that reaches this module and still fails (too large for ``MAX_PROGRAM_MEMORY``, longer than
``MAX_PATTERN_LENGTH``) raises ``RuleCompileError`` and the rule is reported, never run with Python's
``re``.

Dialect: ``|re`` patterns get PCRE's (and Python ``re``'s) anchors, which SIEMs and Sigma rule
authors assume: without ``m``, ``$`` matches at the very end *or before a newline at the end*, and
``\\Z`` means the same (``pcre_anchors`` rewrites both to ``(?:\\n?\\z)``, which RE2 runs; pySigma's
RE2 validation rejects ``\\Z`` in rules today, so only ``$`` arrives from YAML). A ``$``
followed by more pattern that must match the final newline itself (``a$\\n``) is the one spelling
that differs: it never matches. Flags ``i``, ``m``, ``s`` map to RE2's ``(?i)``, ``(?m)``, ``(?s)``.
"""

from __future__ import annotations

from collections.abc import Callable

import re2

from sensor.engine.errors import RuleCompileError

MAX_PATTERN_LENGTH = 16_384
MAX_PROGRAM_MEMORY = 32 << 20
END_OR_FINAL_NEWLINE = r"(?:\n?\z)"


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_MEMORY
    return options


def pcre_anchors(pattern: str) -> str:
    """``pattern`` with every ``$`` and ``\\Z`` outside character classes given PCRE's meaning
    (end of text, or before a final newline). Apply only without the ``m`` flag."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Z" and not in_class:
                out.append(END_OR_FINAL_NEWLINE)
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end >= 0:
                    out.append(pattern[i : end + 2])
                    i = end + 2
                    continue
            if c == "]":
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":  # a leading ']' is a literal member
                out.append("]")
                i += 1
            continue
        if c == "$":
            out.append(END_OR_FINAL_NEWLINE)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def compile_search(pattern: str, *, flags: str = "") -> Callable[[str], bool]:
    """A function telling whether ``pattern`` (PCRE anchors, see above) matches anywhere in a string."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleCompileError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
    prefix = f"(?{flags})" if flags else ""
    translated = pattern if "m" in flags else pcre_anchors(pattern)
    try:
        compiled = re2.compile(prefix + translated, options=_options())
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


def escape(text: str) -> str:
    """``text`` as an RE2 pattern matching it literally."""
    return re2.escape(text)


def _reason(exc: Exception) -> str:
    msg = exc.args[0] if exc.args else str(exc)
    if isinstance(msg, bytes):
        return msg.decode("utf-8", "replace")
    return str(msg)

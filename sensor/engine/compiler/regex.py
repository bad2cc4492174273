"""``|re`` with the ``i``, ``m``, ``s`` flags: RE2 search over the case-preserved text, with PCRE's
``$`` (see regex_guard.pcre_anchors)."""

from __future__ import annotations

from sensor.engine import regex_guard
from sensor.engine.compiler.base import Compiled, field_key, on_text
from sensor.engine.errors import RuleCompileError


def compile_regex(field: str | None, pattern: str, flags: str) -> Compiled:
    if not isinstance(pattern, str) or not isinstance(flags, str) or set(flags) - set("ims"):
        raise RuleCompileError("malformed regular expression leaf")
    ordered = "".join(sorted(set(flags)))
    return Compiled(on_text(field_key(field), regex_guard.compile_search(pattern, flags=ordered)))

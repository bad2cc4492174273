"""``|re`` with the ``i``, ``m``, ``s`` flags: RE2 search over the case-preserved text."""

from __future__ import annotations

from sigma.types import SigmaRegularExpression, SigmaRegularExpressionFlag

from sensor.engine import regex_guard
from sensor.engine.compiler.base import Compiled, field_key, on_text
from sensor.engine.errors import RuleCompileError

_FLAG_LETTERS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def compile_regex(field: str | None, value: SigmaRegularExpression) -> Compiled:
    if value.regexp.contains_placeholder():
        raise RuleCompileError("unresolved placeholder in regular expression: pass it in variables")
    pattern = str(value.regexp)
    flags = "".join(sorted(_FLAG_LETTERS[f] for f in value.flags))
    return Compiled(on_text(field_key(field), regex_guard.compile_search(pattern, flags=flags)))

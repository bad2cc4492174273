"""Detection values -> Python predicates.

A registry maps each pySigma value type to the small module compiling it (one module per modifier
family); ``compile_value`` looks the type up along its MRO, so ``SigmaCasedString`` and
``SigmaTimestampPart`` find their own compilers before their base classes'. Adding a value type is one
function plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sigma.types import (
    SigmaBool,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SigmaTimestampPart,
)

from sensor.engine.compiler.base import Compiled, Need, Predicate
from sensor.engine.compiler.combinators import any_of
from sensor.engine.compiler.fieldref import compile_fieldref
from sensor.engine.compiler.network import compile_cidr
from sensor.engine.compiler.numbers import (
    compile_bool,
    compile_compare,
    compile_number,
    compile_timestamp_part,
)
from sensor.engine.compiler.presence import compile_exists, compile_null
from sensor.engine.compiler.regex import compile_regex
from sensor.engine.compiler.strings import compile_string
from sensor.engine.errors import RuleCompileError

ValueCompiler = Callable[[str | None, Any], Compiled]


def compile_expansion(field: str | None, value: SigmaExpansion) -> Compiled:
    """``windash``/``base64offset`` variants: OR-ed even under ``|all``."""
    return any_of([compile_value(field, v) for v in value.values])


REGISTRY: dict[type, ValueCompiler] = {
    SigmaString: compile_string,
    SigmaRegularExpression: compile_regex,
    SigmaNumber: compile_number,
    SigmaTimestampPart: compile_timestamp_part,
    SigmaCompareExpression: compile_compare,
    SigmaBool: compile_bool,
    SigmaCIDRExpression: compile_cidr,
    SigmaNull: compile_null,
    SigmaExists: compile_exists,
    SigmaFieldReference: compile_fieldref,
    SigmaExpansion: compile_expansion,
}


def compile_value(field: str | None, value: Any) -> Compiled:
    for cls in type(value).__mro__:
        compiler = REGISTRY.get(cls)
        if compiler is not None:
            return compiler(field, value)
    raise RuleCompileError(f"value type {type(value).__name__} is not supported by the engine")


__all__ = ["REGISTRY", "Compiled", "Need", "Predicate", "compile_value"]

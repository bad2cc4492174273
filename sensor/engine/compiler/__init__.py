"""IR (``sensor/engine/ir.py``) -> Python predicates, without pySigma.

A registry maps each IR leaf tag to the small module compiling it (one module per modifier family);
``compile_node`` compiles a detection tree. Adding a value type is one function plus one line here
(and its front-end translation in ``frontend.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sensor.engine import ir
from sensor.engine.compiler.base import Compiled, Need, Predicate
from sensor.engine.compiler.combinators import all_of, any_of, negate
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

LeafCompiler = Callable[..., Compiled]

REGISTRY: dict[str, LeafCompiler] = {
    "s": compile_string,
    "re": compile_regex,
    "n": compile_number,
    "ts": compile_timestamp_part,
    "cmp": compile_compare,
    "b": compile_bool,
    "cidr": compile_cidr,
    "null": compile_null,
    "ex": compile_exists,
    "fref": compile_fieldref,
}


def compile_node(node: ir.Node) -> Compiled:
    """A detection tree (AND/OR/NOT over leaves)."""
    if not isinstance(node, list) or not node:
        raise RuleCompileError(f"malformed IR node {node!r}")
    tag = node[0]
    if tag == ir.AND:
        return all_of([compile_node(n) for n in _children(node)])
    if tag == ir.OR:
        return any_of([compile_node(n) for n in _children(node)])
    if tag == ir.NOT:
        return negate(compile_node(node[1]))
    compiler = REGISTRY.get(tag)
    if compiler is None:
        raise RuleCompileError(f"IR leaf {tag!r} is not supported by the engine")
    args: list[Any] = node[1:]
    return compiler(*args)


def _children(node: ir.Node) -> list[ir.Node]:
    children = node[1]
    if not isinstance(children, list) or not children:
        raise RuleCompileError(f"{node[0]} node without operands")
    return children


__all__ = ["REGISTRY", "Compiled", "Need", "Predicate", "compile_node"]

"""The engine's intermediate form of a rule: plain JSON data, no pySigma object.

The front end (``frontend.py``, with pySigma) turns a rule into a ``RuleSpec``: metadata, logsource,
the named detections as IR trees and the condition over them. The compiler (``compiler/``, without
pySigma) turns IR into predicates. A compiled bundle (``bundle.py``) is a list of specs, so the
sensor can start without parsing YAML or importing pySigma.

IR nodes are lists whose first item is a tag:

| node | meaning |
|---|---|
| ``["and", [n...]]``, ``["or", [n...]]``, ``["not", n]`` | boolean structure |
| ``["ref", name]`` | a named detection (conditions only) |
| ``["s", field, tokens, cased]`` | string with wildcards: tokens are str, ``1`` (``*``) or ``2`` (``?``) |
| ``["re", field, pattern, flags]`` | ``|re``, flags a subset of ``"ims"`` |
| ``["n", field, number]`` | number equality |
| ``["cmp", field, op, number]`` | ``lt``/``lte``/``gt``/``gte`` |
| ``["b", field, bool]`` | boolean equality |
| ``["cidr", field, network]`` | ``|cidr`` (network as text) |
| ``["null", field]``, ``["ex", field, bool]`` | ``null``, ``|exists`` |
| ``["fref", field, other, startswith, endswith]`` | ``|fieldref`` |
| ``["ts", field, part, number]`` | ``|minute`` ... ``|year`` |

``field`` is None for keywords (values without a field).
"""

from __future__ import annotations

from typing import Any, TypedDict

Node = list[Any]

AND, OR, NOT, REF = "and", "or", "not", "ref"
WILDCARD_MULTI, WILDCARD_SINGLE = 1, 2
FORMAT = 1  # bump when the IR or the bundle layout changes
# Detections that pySigma's add_condition transformations (pipelines) insert: never listed as "matched".
PIPELINE_CONDITION_PREFIX = "_cond_"


class RuleSpec(TypedDict):
    """One detection rule as the front end leaves it."""

    id: str
    title: str
    level: str
    status: str | None
    tags: list[str]
    description: str | None
    name: str | None
    path: str | None
    logsource: list[str | None]  # category, product, service (lower case)
    detections: dict[str, Node]  # the detections the condition references
    condition: Node  # over ["ref", name]
    emit: bool

"""A per-event view with lazily computed values, canonical text and lower-cased text per field.

Predicates never convert values themselves: they read ``view.value(field)`` (the raw value),
``view.text[field]`` (canonical text, for case-sensitive tests) or ``view.low[field]`` (lower-cased,
for Sigma's default case-insensitive tests). Each field is resolved and converted at most once per
event, and only if a candidate rule asks for it.

Field names: a key of the event as is (``CommandLine``, or a flat ``winlog.event_data.Image``);
failing that, a dotted name is a path into nested objects (``winlog.event_data.Image`` in
``{"winlog": {"event_data": {"Image": ...}}}``, ``Event.EventData.Image``), trying the longest key
first at each level, so flat and nested spellings mix. A list on the way collects the values of
every element (a list-valued field). A path ending in an Elasticsearch multi-field suffix
(``.caseless``, ``.keyword``, ``.text``: index variants of the same value, named by ECS pipelines)
reads the value it indexes when the document has no such key.

Canonical text of a value: ``str`` as is; ``bool`` -> ``"true"``/``"false"``; ``int``/``float`` ->
``str(value)``; lists -> a tuple of the texts of their scalar elements (a test on a list-valued
field holds if it holds for any element); ``None``, objects and absent fields -> ``None`` (no string
test holds on them). The pseudo-field ``FULLTEXT`` is the text of every scalar in the event (nested
ones included) joined by newlines, except the routing envelope: used by keyword (field-less)
detections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FULLTEXT = "\x00fulltext"
ROUTING_KEYS = frozenset({"category", "product", "service"})
MULTI_FIELD_SUFFIXES = frozenset({"caseless", "keyword", "text"})
MAX_DEPTH = 32

Text = str | tuple[str, ...] | None
_ABSENT = object()


def scalar_text(value: Any) -> str | None:
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError:  # an integer beyond Python's str() digit limit
            return None
    if isinstance(value, str):
        return str(value)
    return None


def value_text(value: Any) -> Text:
    if isinstance(value, (list, tuple)):
        return tuple(t for t in (scalar_text(v) for v in value) if t is not None)
    return scalar_text(value)


def _collect(value: Any, parts: list[str], depth: int) -> None:
    cls = value.__class__
    if cls is str:
        parts.append(value)
    elif isinstance(value, Mapping):
        if depth < MAX_DEPTH:
            for item in value.values():
                _collect(item, parts, depth + 1)
    elif isinstance(value, (list, tuple)):
        if depth < MAX_DEPTH:
            for item in value:
                _collect(item, parts, depth + 1)
    elif value is not None:
        text = scalar_text(value)
        if text is not None:
            parts.append(text)


def fulltext(event: Mapping[str, Any], envelope: frozenset[str] = ROUTING_KEYS) -> str:
    """Every scalar's text, joined by newlines; keys in ``envelope`` (routing metadata) left out."""
    parts: list[str] = []
    append = parts.append
    if all(v.__class__ is str for v in event.values()):  # fast path: flat events of strings
        return "\n".join(v for k, v in event.items() if k not in envelope)
    for key, value in event.items():
        cls = value.__class__
        if cls is str:
            if key not in envelope:
                append(value)
        elif cls is int or cls is float:
            spelled = scalar_text(value)
            if spelled is not None:
                append(spelled)
        elif cls is bool:
            append("true" if value else "false")
        elif value is not None and key not in envelope:
            _collect(value, parts, 1)
    return "\n".join(parts)


def _walk(node: Any, parts: list[str], depth: int) -> Any:
    """The value at ``parts`` below ``node`` (see the module docstring), or ``_ABSENT``."""
    if not parts:
        return node
    if depth > MAX_DEPTH:
        return _ABSENT
    if isinstance(node, Mapping):
        for cut in range(len(parts), 0, -1):  # longest key first: "a.b" before "a" then "b"
            key = ".".join(parts[:cut]) if cut > 1 else parts[0]
            child = node.get(key, _ABSENT)
            if child is not _ABSENT:
                found = _walk(child, parts[cut:], depth + 1)
                if found is not _ABSENT:
                    return found
        return _ABSENT
    if isinstance(node, (list, tuple)):
        found_all: list[Any] = []
        for item in node:
            found = _walk(item, parts, depth + 1)
            if found is _ABSENT or found is None:
                continue
            if isinstance(found, list):
                found_all.extend(found)
            else:
                found_all.append(found)
        return found_all if found_all else _ABSENT
    if len(parts) == 1 and parts[0] in MULTI_FIELD_SUFFIXES:
        return node
    return _ABSENT


def field_value(event: Mapping[str, Any], name: str) -> Any:
    """The value of field ``name`` in ``event`` (flat key, else dotted path), or None."""
    value = event.get(name, _ABSENT)
    if value is not _ABSENT:
        return value
    if "." not in name:
        return None
    found = _walk(event, name.split("."), 0)
    return None if found is _ABSENT else found


class _Values(dict[str, Any]):
    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, key: str) -> Any:
        value = field_value(self.raw, key)
        self[key] = value
        return value


class _TextFields(dict[str, Text]):
    __slots__ = ("envelope", "resolved")

    def __init__(self, resolved: _Values, envelope: frozenset[str]) -> None:
        super().__init__()
        self.resolved = resolved
        self.envelope = envelope

    def __missing__(self, key: str) -> Text:
        if key == FULLTEXT:
            text: Text = fulltext(self.resolved.raw, self.envelope)
        else:
            raw = self.resolved[key]
            text = raw if raw.__class__ is str else value_text(raw)
        self[key] = text
        return text


class _LowerFields(dict[str, Text]):
    __slots__ = ("text",)

    def __init__(self, text: _TextFields) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, key: str) -> Text:
        raw = self.text.resolved.raw.get(key)
        if raw.__class__ is str:  # the common case, without filling the other two caches
            lowered: str = raw.lower()
            self[key] = lowered
            return lowered
        text = self.text[key]
        low: Text
        if text.__class__ is str:
            low = text.lower()
        elif text is None:
            low = None
        else:
            low = tuple(t.lower() for t in text)
        self[key] = low
        return low


class EventView:
    """What compiled predicates see of one event. ``envelope``: keys that carry routing metadata
    (left out of the keyword text; still readable as fields)."""

    __slots__ = ("envelope", "low", "raw", "text", "values")

    def __init__(self, raw: Mapping[str, Any], envelope: frozenset[str] = ROUTING_KEYS) -> None:
        self.raw = raw
        self.envelope = envelope
        self.values = _Values(raw)
        self.text = _TextFields(self.values, envelope)
        self.low = _LowerFields(self.text)

    def value(self, name: str) -> Any:
        return self.values[name]

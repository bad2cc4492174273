"""A per-event view with lazily computed canonical text and lower-cased text per field.

Predicates never convert values themselves: they read ``view.text[field]`` (canonical text, for
case-sensitive tests) or ``view.low[field]`` (lower-cased, for Sigma's default case-insensitive
tests). Each field is converted at most once per event, and only if a candidate rule asks for it.

Canonical text of a value: ``str`` as is; ``bool`` -> ``"true"``/``"false"``; ``int``/``float`` ->
``str(value)``; lists -> a tuple of the texts of their scalar elements (a test on a list-valued
field holds if it holds for any element); ``None``, dicts and absent fields -> ``None`` (no string
test holds on them). The pseudo-field ``FULLTEXT`` is every value's text joined by newlines, used by
keyword (field-less) detections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FULLTEXT = "\x00fulltext"
ROUTING_KEYS = frozenset({"category", "product", "service"})

Text = str | tuple[str, ...] | None


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


def fulltext(event: Mapping[str, Any]) -> str:
    parts: list[str] = []
    append = parts.append
    for key, value in event.items():
        cls = value.__class__
        if cls is str:
            if key not in ROUTING_KEYS:
                append(value)
        elif cls is int or cls is float:
            spelled = scalar_text(value)
            if spelled is not None:
                append(spelled)
        elif cls is bool:
            append("true" if value else "false")
        elif value is not None and key not in ROUTING_KEYS:
            text = value_text(value)
            if isinstance(text, tuple):
                parts.extend(text)
            elif text is not None:
                append(text)
    return "\n".join(parts)


class _TextFields(dict[str, Text]):
    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, key: str) -> Text:
        raw = self.raw.get(key)
        if raw.__class__ is str:
            self[key] = raw
            return raw
        text: Text = fulltext(self.raw) if key == FULLTEXT else value_text(raw)
        self[key] = text
        return text


class _LowerFields(dict[str, Text]):
    __slots__ = ("text",)

    def __init__(self, text: _TextFields) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, key: str) -> Text:
        raw = self.text.raw.get(key)
        if raw.__class__ is str:
            lowered: str = raw.lower()
            self[key] = lowered
            return lowered
        text = self.text[key]
        low: Text
        if text is None:
            low = None
        elif isinstance(text, tuple):
            low = tuple(t.lower() for t in text)
        else:
            low = text.lower()
        self[key] = low
        return low


class EventView:
    """What compiled predicates see of one event."""

    __slots__ = ("low", "raw", "text")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.text = _TextFields(raw)
        self.low = _LowerFields(self.text)

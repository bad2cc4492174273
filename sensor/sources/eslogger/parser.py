"""One eslogger JSON line -> one message, or a counted reason why not. Never raises on input.

Every line is a hostile input in principle (file names and entitlements inside it come from whoever
wrote them): bounded length, decoded by a real JSON parser, shapes checked field by field
(``shapes``), unknown versions and shapes counted per kind so the sensor's health shows drift.

``open`` events are the volume: every file any process opens. Most are of no interest, so a line
that is certainly an ``open`` (exactly one ``event_type``, and it is 10: the only keys an attacker
chooses, entitlement names, appear in exec lines, which carry their own ``event_type`` 9) has just
the ``path`` of its ``file`` object read, and is dropped unless ``wants_open(path)`` says the path may
be in a watched credential-store directory. Anything unusual about the line: it is decoded whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from typing import Any

import orjson

from sensor.sources.eslogger.messages import KINDS, EsMessage
from sensor.sources.eslogger.shapes import EVENT_TYPES, PINS, ShapeError, TokenForm, decode

MAX_LINE_BYTES = 1 << 20  # an exec with a huge environment is ~100 KiB; anything near 1 MiB is not eslogger
_ALL_FORMS: tuple[TokenForm, ...] = ("object", "array")
_EVENT_TYPE = b'"event_type":'
_NUMBER = re.compile(rb"(\d{1,20})[,}]")
_FILE = b'"file":{'
_FILE_IN_OPEN_BODY = re.compile(rb'(?:"open":\{|"fflag":\d{1,12},)\Z')
_PATH = b'"path":"'
_TRUNCATED = b'"path_truncated":'
_SEQ = b'"global_seq_num":'

WantsOpen = Callable[[str], bool]
OnGap = Callable[[int], None]


class EsloggerParser:
    """Decodes lines of one eslogger run. ``wanted``: kinds to decode (others are counted and
    skipped); ``wants_open``: the cheap path filter for opens (None: every open is decoded);
    ``on_gap``: told how many messages ES dropped when ``global_seq_num`` jumps."""

    def __init__(self, *, wanted: Collection[str] = KINDS, wants_open: WantsOpen | None = None,
                 on_gap: OnGap | None = None, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.wanted = frozenset(wanted)
        self.wants_open = wants_open
        self.on_gap = on_gap
        self.max_line_bytes = max_line_bytes
        self.counters: Counter[str] = Counter()
        self._last_seq: int | None = None

    def restart(self) -> None:
        """A new eslogger process: its sequence numbers start again."""
        self._last_seq = None

    def parse(self, line: bytes) -> EsMessage | None:
        self.counters["lines"] += 1
        if len(line) > self.max_line_bytes:
            self.counters["oversized_lines"] += 1
            return None
        self._sequence(line)
        if self.wants_open is not None and _event_type(line) == EVENT_TYPES["open"]:
            verdict = self._open_prefilter(line)
            if verdict is False:
                self.counters["opens_filtered"] += 1
                return None
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            self.counters["bad_json"] += 1
            return None
        if not isinstance(doc, dict):
            self.counters["bad_json"] += 1
            return None
        return self._message(doc)

    def _open_prefilter(self, line: bytes) -> bool | None:
        """False: an open of a path nobody watches. None: cannot tell cheaply (decode it all).

        Reads only the ``path`` string of the open's ``file`` object: the ``"file":{`` must sit right
        after ``"open":{`` or ``"fflag":N,`` (so it is the open body's), and everything before the
        ``path`` key in that object (``stat``, ``path_truncated``) is numbers, booleans and
        timestamps, so equal counts of ``{`` and ``}`` in between mean the key is the object's own."""
        at = line.find(_FILE)
        if at < 0 or not _FILE_IN_OPEN_BODY.search(line, max(0, at - 24), at):
            return None
        start = line.find(_PATH, at)
        if start < 0:
            return None
        between = line[at + len(_FILE):start]
        if between.count(b"{") != between.count(b"}"):
            return None
        value_at = start + len(_PATH) - 1  # the opening quote of the path string
        end = _string_end(line, value_at + 1)
        if end < 0:
            return None
        truncated_at = line.find(_TRUNCATED, at)
        if truncated_at < 0 or not line.startswith(b"false", truncated_at + len(_TRUNCATED)):
            return None
        try:
            path = orjson.loads(line[value_at:end + 1])
        except orjson.JSONDecodeError:
            return None
        if not isinstance(path, str):
            return None
        assert self.wants_open is not None
        return bool(self.wants_open(path))

    def _sequence(self, line: bytes) -> None:
        at = line.find(_SEQ)
        found = _NUMBER.match(line, at + len(_SEQ)) if at >= 0 else None
        if found is None:
            return
        seq = int(found.group(1))
        last, self._last_seq = self._last_seq, seq
        if last is not None and seq > last + 1:
            missed = seq - last - 1
            self.counters["dropped_by_es"] += missed
            if self.on_gap is not None:
                self.on_gap(missed)

    def _message(self, doc: Mapping[str, Any]) -> EsMessage | None:
        event = doc.get("event")
        if not isinstance(event, Mapping) or len(event) != 1:
            self.counters["unknown_shape.event"] += 1
            return None
        kind = next(iter(event))
        if kind not in KINDS or kind not in self.wanted:
            self.counters[f"unsubscribed.{kind}"[:64]] += 1
            return None
        version = doc.get("version")
        pin = PINS.get(version) if isinstance(version, int) and not isinstance(version, bool) else None
        if pin is not None:
            try:
                if doc.get("event_type") != EVENT_TYPES[kind]:
                    raise ShapeError("event_type", f"is not {EVENT_TYPES[kind]} for {kind}")
                message = decode(doc, kind, (pin.token_form,), strict=True)
                self.counters[f"parsed.{kind}"] += 1
                return message
            except ShapeError:
                self.counters[f"pin_mismatch.v{pin.version}.{kind}"] += 1
        else:
            self.counters[f"unpinned_version.{str(version)[:12]}"] += 1
        try:
            message = decode(doc, kind, _ALL_FORMS, strict=False)
        except ShapeError as exc:
            self.counters[f"unknown_shape.{kind}"] += 1
            self.counters[f"unknown_shape.{kind}.{exc.where}"[:96]] += 1
            return None
        self.counters[f"parsed.{kind}"] += 1
        return message


def _event_type(line: bytes) -> int | None:
    """The line's ``event_type`` if it occurs exactly once (only exec lines can carry extra keys of
    a signer's choosing, in their entitlements, and an exec line has its own ``event_type``)."""
    at = line.find(_EVENT_TYPE)
    if at < 0 or line.find(_EVENT_TYPE, at + len(_EVENT_TYPE)) >= 0:
        return None
    found = _NUMBER.match(line, at + len(_EVENT_TYPE))
    return int(found.group(1)) if found is not None else None


def _string_end(line: bytes, start: int) -> int:
    """Index of the quote that ends the JSON string whose first character is at ``start``, or -1."""
    at = start
    while True:
        at = line.find(b'"', at)
        if at < 0:
            return -1
        backslashes = 0
        while line[at - 1 - backslashes] == 0x5C:  # "\"
            backslashes += 1
        if backslashes % 2 == 0:
            return at
        at += 1

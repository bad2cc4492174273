"""One eslogger JSON line -> one message, or a counted reason why not. Never raises on input.

Every line is a hostile input in principle (file names and entitlements inside it come from whoever
wrote them): bounded length, decoded by a real JSON parser, shapes checked field by field
(``shapes``), unknown versions and shapes counted per kind so the sensor's health shows drift.

``open`` events are the volume: every file any process opens. Most are of no interest, so a line
that is certainly an ``open`` (it has the ``"open":{`` structure and none of exec/fork/exit's, which an
``open`` line cannot contain: the only keys an attacker chooses, entitlement names, appear in exec
lines only) has just its ``file`` object decoded, and is dropped unless ``wants_open(path)`` says the
path may be a watched credential store. Only then is the whole line decoded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from typing import Any

import orjson

from sensor.sources.eslogger.messages import KINDS, EsMessage
from sensor.sources.eslogger.shapes import EVENT_TYPES, PINS, ShapeError, TokenForm, decode

MAX_LINE_BYTES = 1 << 20  # an exec with a huge environment is ~100 KiB; anything near 1 MiB is not eslogger
_ALL_FORMS: tuple[TokenForm, ...] = ("object", "array")
_OPEN = b'"open":{'
_NOT_OPEN = (b'"exec":{', b'"fork":{', b'"exit":{')
_FILE = '"file":{'
_SEQ = b'"global_seq_num":'
_decoder = json.JSONDecoder()

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
        if self.wants_open is not None and _OPEN in line and not any(m in line for m in _NOT_OPEN):
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
        """False: an open of a path nobody watches. None: cannot tell cheaply (decode it all)."""
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return None
        at = text.find(_FILE)
        if at < 0 or text.find(_FILE, at + 1) >= 0:
            return None
        try:
            file, _end = _decoder.raw_decode(text, at + len(_FILE) - 1)
        except ValueError:
            return None
        path = file.get("path") if isinstance(file, dict) else None
        if not isinstance(path, str) or file.get("path_truncated") is True:
            return None
        assert self.wants_open is not None
        return bool(self.wants_open(path))

    def _sequence(self, line: bytes) -> None:
        at = line.find(_SEQ)
        if at < 0:
            return
        start = at + len(_SEQ)
        end = start
        while end < len(line) and end - start < 20 and 48 <= line[end] <= 57:
            end += 1
        if end == start:
            return
        seq = int(line[start:end])
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

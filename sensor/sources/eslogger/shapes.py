"""What eslogger's JSON looks like, pinned per message version (one per macOS major), and decoding.

eslogger writes Apple's ``es_message_t`` as JSON. Its top-level ``version`` is the ES message version;
each pin below records the macOS major it came from and the shapes seen in real output recorded on
that release (tests/fixtures/eslogger/README.md names the captures). The one change seen so far:
macOS 26 (message version 10) wrote every audit token as a list of eight integers in the kernel's
``audit_token_t`` order (libbsm ``audit_token_to_au32``: auid, euid, egid, ruid, rgid, pid, asid,
pidversion) where macOS 15 and the macOS 27 beta write an object with those names.

Decoding is strict for a pinned version (the fields recorded on that release must be there with their
types) and lenient otherwise (only what the sensor cannot do without). The parser decides which to use
and counts every fall-back, so drift shows up in the sensor's health instead of as silence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from sensor.openclaw.names import ENV_PREFIXES
from sensor.sources.eslogger.messages import EsExec, EsExit, EsFork, EsMessage, EsOpen, EsProcess

TokenForm = Literal["object", "array"]

# es_event_type_t numbers of the NOTIFY events the sensor subscribes to (EndpointSecurity ESTypes.h)
EVENT_TYPES: dict[str, int] = {"exec": 9, "open": 10, "fork": 11, "exit": 15}
_TOKEN_ORDER = ("auid", "euid", "egid", "ruid", "rgid", "pid", "asid", "pidversion")
MAX_ARGS = 4096
MAX_ENV = 4096


@dataclass(frozen=True, slots=True)
class Pin:
    """One message version as recorded on a real Mac."""

    version: int
    macos: str  # macOS major the recording came from
    token_form: TokenForm
    fixtures: str  # folder under tests/fixtures/eslogger/


PINS: dict[int, Pin] = {
    9: Pin(9, "15", "object", "macos15-msg9"),
    10: Pin(10, "26", "array", "macos26-msg10"),
    11: Pin(11, "27 (beta)", "object", "macos27beta-msg11"),
}


class ShapeError(ValueError):
    """The JSON does not have the shape expected; ``where`` names the field (``event.exec.args``)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where


def _obj(doc: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = doc.get(key)
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where}.{key}", "missing or not an object")
    return value


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _need_int(doc: Mapping[str, Any], key: str, where: str) -> int:
    value = _int(doc.get(key))
    if value is None:
        raise ShapeError(f"{where}.{key}", "missing or not an integer")
    return value


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _need_str(doc: Mapping[str, Any], key: str, where: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ShapeError(f"{where}.{key}", "missing or not a string")
    return value


def _path(doc: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    """``doc[key]`` is an ``es_file_t`` (``{"path": ..., "path_truncated": ..., "stat": {...}}``)."""
    if key not in doc and not required:
        return None
    file = _obj(doc, key, where)
    return _need_str(file, "path", f"{where}.{key}")


def audit_token(value: object, where: str, forms: Sequence[TokenForm]) -> dict[str, int]:
    """The fields of an audit token written in one of ``forms``; ``pid`` is always there."""
    if isinstance(value, Mapping) and "object" in forms:
        token = {k: v for k in _TOKEN_ORDER if (v := _int(value.get(k))) is not None}
    elif isinstance(value, list) and "array" in forms:
        if len(value) != len(_TOKEN_ORDER) or any(_int(v) is None for v in value):
            raise ShapeError(where, "audit token list is not eight integers")
        token = dict(zip(_TOKEN_ORDER, value, strict=True))
    else:
        raise ShapeError(where, f"audit token is not an {' or '.join(forms)}")
    if token.get("pid", 0) <= 0:
        raise ShapeError(f"{where}.pid", "missing or not a positive integer")
    return token


def process(doc: Mapping[str, Any], where: str, forms: Sequence[TokenForm], *, strict: bool) -> EsProcess:
    """An ``es_process_t``; strict also wants its executable path and parent PID."""
    token = audit_token(doc.get("audit_token"), f"{where}.audit_token", forms)
    if strict:
        exe: str | None = _path(doc, "executable", where, required=True)
        ppid: int | None = _need_int(doc, "ppid", where)
    else:
        executable = doc.get("executable")
        exe = _str(executable.get("path")) if isinstance(executable, Mapping) else None
        ppid = _int(doc.get("ppid"))
    return EsProcess(
        pid=token["pid"], pidversion=token.get("pidversion"), ppid=ppid, ruid=token.get("ruid"),
        euid=token.get("euid"), executable=exe, start_time=_str(doc.get("start_time")),
        signing_id=_str(doc.get("signing_id")), team_id=_str(doc.get("team_id")),
    )


def _strings(value: object, where: str, limit: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ShapeError(where, "not a list of strings")
    return tuple(value[:limit])


def env_markers(env: object) -> tuple[str, ...]:
    """Names (never values) of OpenClaw/Clawdbot/Moltbot variables in an exec environment."""
    if not isinstance(env, list):
        return ()
    names = {item.split("=", 1)[0] for item in env[:MAX_ENV]
             if isinstance(item, str) and item.startswith(ENV_PREFIXES) and "=" in item}
    return tuple(sorted(names))


def decode(doc: Mapping[str, Any], kind: str, forms: Sequence[TokenForm], *, strict: bool) -> EsMessage:
    """The message of ``kind`` in ``doc`` (a whole eslogger line), or ShapeError."""
    actor = process(_obj(doc, "process", ""), "process", forms, strict=strict)
    body = _obj(_obj(doc, "event", ""), kind, "event")
    where = f"event.{kind}"
    time = _str(doc.get("time"))
    if strict:
        _need_str(doc, "time", "")
        _need_int(doc, "global_seq_num", "")
    if kind == "exec":
        target = process(_obj(body, "target", where), f"{where}.target", forms, strict=strict)
        if target.executable is None:
            target_doc = _obj(body, "target", where)
            _path(target_doc, "executable", f"{where}.target", required=True)
        if strict or "args" in body:
            args = _strings(body.get("args"), f"{where}.args", MAX_ARGS)
        else:
            args = ()
        cwd = _path(body, "cwd", where, required=strict)
        if target.ppid is None:  # exec keeps the PID, so the caller's parent is the new image's
            target = replace(target, ppid=actor.ppid)
        return EsExec(actor, target, args, cwd, env_markers(body.get("env")), time)
    if kind == "fork":
        child = process(_obj(body, "child", where), f"{where}.child", forms, strict=strict)
        return EsFork(actor, child, time)
    if kind == "exit":
        status = _need_int(body, "stat", where) if strict else _int(body.get("stat"))
        return EsExit(actor, status, time)
    if kind == "open":
        path = _path(body, "file", where, required=True)
        assert path is not None
        fflag = _need_int(body, "fflag", where) if strict else _int(body.get("fflag"))
        file = body["file"]
        return EsOpen(actor, path, fflag, file.get("path_truncated") is True, time)
    raise ShapeError(where, "not a kind the sensor decodes")

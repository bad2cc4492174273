"""Gateway lock files: the link from a state dir to the PID that runs it.

2026.9: ``<state>/tmp/openclaw-<uid>/gateway.<hash>.lock`` (JSON ``{pid, configPath, stateDir, port,…}``
followed by whitespace padding). A stale lock survives SIGKILL, so a lock PID only counts when that
PID is a live OpenClaw process (checked by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

import orjson

from sensor.safeio import SafeIOError, list_dir, read_file

MAX_LOCK_BYTES = 64 * 1024


@dataclass(frozen=True)
class GatewayLock:
    path: Path
    pid: int
    port: int | None
    config_path: str | None


def parse_lock(data: bytes) -> tuple[int, int | None, str | None] | None:
    try:
        value = orjson.loads(data.strip(b" \t\r\n\x00"))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("pid"), int) or value["pid"] <= 0:
        return None
    port = value.get("port") if isinstance(value.get("port"), int) else None
    config = value.get("configPath") if isinstance(value.get("configPath"), str) else None
    return value["pid"], port, config


def read_locks(state_dir: Path) -> list[GatewayLock]:
    out: list[GatewayLock] = []
    try:
        tmp_dirs = [e for e in list_dir(state_dir, "tmp") if e.kind == "dir" and e.name.startswith("openclaw")]
    except SafeIOError:
        return out
    for tmp in tmp_dirs:
        try:
            entries = list_dir(state_dir, PurePath("tmp", tmp.name), limit=200)
        except SafeIOError:
            continue
        for entry in entries:
            if entry.kind != "file" or not entry.name.startswith("gateway.") or not entry.name.endswith(".lock"):
                continue
            try:
                data = read_file(state_dir, PurePath("tmp", tmp.name, entry.name), max_bytes=MAX_LOCK_BYTES).data
            except SafeIOError:
                continue
            parsed = parse_lock(data)
            if parsed is not None:
                out.append(GatewayLock(entry.path, *parsed))
    return out

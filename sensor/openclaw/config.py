"""Load an OpenClaw config (``openclaw.json``, legacy ``clawdbot.json`` …) as OpenClaw would, without
trusting it: JSON5 (comments, trailing commas), ``$include`` (string or list, relative to the including
file, merged under the sibling keys), ``${VAR}`` left as references (the scanner never has, and never
wants, the gateway's secret environment). Schema-invalid and legacy configs are accepted as they are:
those are the stale installs we hunt. Every problem becomes a ``ConfigProblem``, never an exception.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import json5
import orjson

from sensor.openclaw.names import CONFIG_FILE_NAMES
from sensor.safeio import FileData, SafeIOError, read_file, stat_entry

MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDES = 64
MAX_NESTING = 200

_ENV_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_ENV_REF_ANYWHERE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class ConfigProblem:
    kind: str  # symlink | too_large | not_regular | is_directory | unreadable | parse_error | include_*
    path: str
    detail: str = ""


@dataclass
class LoadedConfig:
    path: Path
    data: dict[str, Any]
    files: list[FileData] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)

    @property
    def parsed(self) -> bool:
        return bool(self.files) and not any(p.kind in ("parse_error", "not_object") for p in self.problems)


def is_env_reference(value: object) -> bool:
    """``"${SLACK_BOT_TOKEN}"``: a placeholder OpenClaw fills from the environment."""
    return isinstance(value, str) and _ENV_REF.match(value.strip()) is not None


def has_env_reference(value: object) -> bool:
    return isinstance(value, str) and _ENV_REF_ANYWHERE.search(value) is not None


def is_secret_ref(value: object) -> bool:
    """A SecretRef object (``{"source": "env"|"file"|"exec", "id"/"provider": …}``)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("source"), str)
        and ("id" in value or "provider" in value or "key" in value)
    )


def _too_deep(value: object, limit: int = MAX_NESTING) -> bool:
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def parse_json5(text: str) -> Any:
    """JSON fast path (orjson), then a real JSON5 parser. Raises ValueError on any failure."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json5.loads(text)
    except RecursionError as exc:
        raise ValueError("nesting too deep") from exc
    except Exception as exc:  # json5 raises ValueError and friends; any failure is a parse error
        raise ValueError(_position_only(str(exc))) from exc


_POSITION = re.compile(r":(\d+) .*?column (\d+)")


def _position_only(message: str) -> str:
    """Parser messages quote input characters; keep only where the error is (no content leaks)."""
    match = _POSITION.search(message)
    return f"invalid JSON5 at line {match.group(1)} column {match.group(2)}" if match else "invalid JSON5"


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM tolerated); raises ValueError on binary garbage."""
    if b"\x00" in data[:8192]:
        raise ValueError("binary content (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text at byte {exc.start}") from exc


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root  # containment root: includes may not leave it
        self.files: list[FileData] = []
        self.problems: list[ConfigProblem] = []
        self.includes = 0

    def read(self, relative: PurePath) -> Any:
        shown = str(self.root / relative)
        try:
            fd = read_file(self.root, relative, max_bytes=MAX_CONFIG_BYTES)
        except SafeIOError as exc:
            self.problems.append(ConfigProblem(exc.reason, shown, exc.detail))
            return None
        self.files.append(fd)
        try:
            value = parse_json5(decode_text(fd.data))
        except ValueError as exc:
            self.problems.append(ConfigProblem("parse_error", shown, str(exc)))
            return None
        if _too_deep(value):
            self.problems.append(ConfigProblem("parse_error", shown, "nesting too deep"))
            return None
        return value

    def resolve(self, value: Any, relative: PurePath, depth: int) -> Any:
        if isinstance(value, list):
            return [self.resolve(v, relative, depth) for v in value]
        if not isinstance(value, dict):
            return value
        resolved = {k: self.resolve(v, relative, depth) for k, v in value.items() if k != "$include"}
        if "$include" not in value:
            return resolved
        targets = value["$include"]
        targets = [targets] if isinstance(targets, str) else targets
        merged: dict[str, Any] = {}
        if not isinstance(targets, list):
            self.problems.append(ConfigProblem("include_invalid", str(self.root / relative), "not a path"))
            return resolved
        for target in targets:
            included = self.include(target, relative, depth)
            if isinstance(included, dict):
                merged = _merge(merged, included)
        return _merge(merged, resolved)

    def include(self, target: object, relative: PurePath, depth: int) -> Any:
        shown = str(self.root / relative)
        if not isinstance(target, str) or not target.strip():
            self.problems.append(ConfigProblem("include_invalid", shown, "not a path"))
            return None
        if depth >= MAX_INCLUDE_DEPTH or self.includes >= MAX_INCLUDES:
            detail = f"include depth/count limit at {target}"
            self.problems.append(ConfigProblem("include_limit", shown, detail))
            return None
        candidate = PurePath(target)
        joined = candidate if candidate.is_absolute() else relative.parent / candidate
        normalized = _normalize(joined, self.root)
        if normalized is None:
            self.problems.append(
                ConfigProblem("include_outside", shown, f"$include {target} leaves {self.root}; not followed")
            )
            return None
        self.includes += 1
        value = self.read(normalized)
        return self.resolve(value, normalized, depth + 1)


def _normalize(path: PurePath, root: Path) -> PurePath | None:
    """``path`` relative to root with '..' folded; None when it leaves root."""
    if path.is_absolute():
        try:
            path = PurePath(path).relative_to(root)
        except ValueError:
            return None
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return PurePath(*parts) if parts else None


def find_config(state_dir: Path) -> Path | None:
    """``openclaw.json`` else a legacy name, inside the state dir (symlinks count as present)."""
    for name in CONFIG_FILE_NAMES:
        try:
            stat_entry(state_dir, name)
        except SafeIOError:
            continue
        return state_dir / name
    return None


def load_config(config_path: Path, root: Path | None = None) -> LoadedConfig:
    """Load ``config_path`` with includes contained in ``root`` (default: the config's directory)."""
    config_path = Path(os.path.abspath(config_path))
    root = Path(os.path.abspath(root)) if root is not None else config_path.parent
    relative = _normalize(PurePath(config_path), root)
    loader = _Loader(root)
    if relative is None:
        loader.problems.append(ConfigProblem("bad_path", str(config_path), "config outside its root"))
        return LoadedConfig(config_path, {}, [], loader.problems)
    raw = loader.read(relative)
    data = loader.resolve(raw, relative, 0) if raw is not None else None
    if raw is not None and not isinstance(data, dict):
        loader.problems.append(ConfigProblem("not_object", str(config_path), "top level is not an object"))
    return LoadedConfig(config_path, data if isinstance(data, dict) else {}, loader.files, loader.problems)


def get_path(data: dict[str, Any], dotted: str, default: Any = None) -> Any:
    """``get_path(cfg, "gateway.auth.mode")``; ``default`` when any step is missing or not an object."""
    current: Any = data
    for part in dotted.split("."):
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current

"""Pull secrets out of parsed content: JSON trees, dotenv text, systemd Environment= lines, plists,
Windows ``set`` lines. Each extractor yields ``RawSecret`` (kind, key path, value or reference); the
value lives only until the collector fingerprints it. Extractors never raise on odd input.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sensor.openclaw.config import is_env_reference, is_secret_ref
from sensor.openclaw.credentials.kinds import classify

MAX_NODES = 100_000
MAX_VALUE_CHARS = 65_536


@dataclass(frozen=True, slots=True)
class RawSecret:
    kind: str
    location: str  # key path inside the file (never the value)
    value: str | None  # None for references
    reference: str | None = None  # "env:VAR", "secretref:file:<id>" …


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _ref_kind(path: str) -> str | None:
    # a reference at a secret-looking key: classify with a dummy non-empty value
    return classify(path, "x" * 32)


def secrets_in_tree(tree: Any, prefix: str = "") -> Iterator[RawSecret]:
    """Every secret-looking string leaf of a JSON value, by key path and value shape."""
    stack: list[tuple[str, Any]] = [(prefix, tree)]
    nodes = 0
    while stack and nodes < MAX_NODES:
        path, value = stack.pop()
        nodes += 1
        if isinstance(value, dict):
            if path and is_secret_ref(value):
                kind = _ref_kind(path)
                if kind is not None:
                    ref = f"secretref:{value.get('source')}:{value.get('provider') or value.get('id') or ''}"
                    yield RawSecret(kind, path, None, ref[:200])
                continue
            for key, child in reversed(list(value.items())):
                stack.append((_join(path, str(key)), child))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                stack.append((_join(path, str(index)), value[index]))
        elif isinstance(value, str):
            if is_env_reference(value):
                kind = _ref_kind(path)
                if kind is not None:
                    yield RawSecret(kind, path, None, "env:" + value.strip()[2:-1])
                continue
            kind = classify(path, value[:MAX_VALUE_CHARS])
            if kind is not None:
                yield RawSecret(kind, path, value[:MAX_VALUE_CHARS])


_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*$")


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if " #" in raw:
        raw = raw.split(" #", 1)[0].rstrip()
    return raw


def secrets_in_assignments(pairs: Iterator[tuple[str, str]]) -> Iterator[RawSecret]:
    for key, value in pairs:
        if is_env_reference(value):
            kind = _ref_kind(key)
            if kind is not None:
                yield RawSecret(kind, key, None, "env:" + value.strip()[2:-1])
            continue
        kind = classify(key, value[:MAX_VALUE_CHARS])
        if kind is not None:
            yield RawSecret(kind, key, value[:MAX_VALUE_CHARS])


def dotenv_pairs(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines()[:10_000]:
        if line.lstrip().startswith("#"):
            continue
        match = _DOTENV_LINE.match(line)
        if match:
            yield match.group(1), _unquote(match.group(2))


def secrets_in_dotenv(text: str) -> Iterator[RawSecret]:
    return secrets_in_assignments(dotenv_pairs(text))


def systemd_environment_pairs(text: str) -> Iterator[tuple[str, str]]:
    """``Environment=A=b "C=d e"`` lines of a unit file."""
    for line in text.splitlines()[:10_000]:
        stripped = line.strip()
        if not stripped.startswith("Environment="):
            continue
        try:
            words = shlex.split(stripped[len("Environment=") :])
        except ValueError:
            words = stripped[len("Environment=") :].split()
        for word in words:
            if "=" in word:
                key, value = word.split("=", 1)
                yield key, value


def windows_set_pairs(text: str) -> Iterator[tuple[str, str]]:
    """``set KEY=value`` / ``set "KEY=value"`` lines of a .cmd launcher."""
    for line in text.splitlines()[:10_000]:
        stripped = line.strip()
        if not stripped.lower().startswith("set "):
            continue
        body = stripped[4:].strip()
        if body.startswith('"') and body.endswith('"'):
            body = body[1:-1]
        if "=" in body:
            key, value = body.split("=", 1)
            yield key.strip(), value


def secrets_in_plist(plist: Any) -> Iterator[RawSecret]:
    env = plist.get("EnvironmentVariables") if isinstance(plist, dict) else None
    if isinstance(env, dict):
        yield from secrets_in_assignments((str(k), v) for k, v in env.items() if isinstance(v, str))
    args = plist.get("ProgramArguments") if isinstance(plist, dict) else None
    if isinstance(args, list):
        yield from secrets_in_argv([a for a in args if isinstance(a, str)], "ProgramArguments")


_ARG_KINDS = {"--token": "gateway_token", "--password": "gateway_password", "--hook-token": "hooks_token"}


def secrets_in_argv(argv: list[str], location: str) -> Iterator[RawSecret]:
    for i, arg in enumerate(argv):
        name, _, inline = arg.partition("=")
        if name in _ARG_KINDS:
            value = inline if inline else (argv[i + 1] if i + 1 < len(argv) else "")
            if value:
                yield RawSecret(_ARG_KINDS[name], f"{location}[{name}]", value[:MAX_VALUE_CHARS])

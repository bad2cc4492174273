"""OpenClaw processes running at scan time (psutil), with the few env keys that move OpenClaw paths.

Only the keys in ``sensor.openclaw.names.LOCATION_ENV_KEYS`` are kept from a process environment
(state dir / config path / home / profile overrides and the service markers); every other value is
dropped on the spot, so no secret from an environment ever enters the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psutil

from sensor.openclaw.identity import AgentIdentity, identify_process
from sensor.openclaw.names import LOCATION_ENV_KEYS

# HOME decides ~/.openclaw for a process started with a different HOME than its account's
_KEPT_ENV_KEYS = LOCATION_ENV_KEYS | {"HOME", "USERPROFILE"}


@dataclass(frozen=True)
class AgentProcess:
    pid: int
    ppid: int | None
    identity: AgentIdentity
    uid: int | None
    username: str | None
    exe: str | None
    cwd: str | None
    script: str | None  # the JS entry when run as `node <script> …` (a package path)
    env: dict[str, str] = field(default_factory=dict)  # LOCATION_ENV_KEYS + HOME only


def _script_path(cmdline: list[str]) -> str | None:
    for arg in cmdline[1:]:
        if arg.startswith("-"):
            continue
        return arg if ("/" in arg or "\\" in arg) else None
    return None


def _location_env(proc: psutil.Process) -> dict[str, str]:
    try:
        environ = proc.environ()
    except (psutil.Error, OSError):
        return {}
    return {k: v[:4096] for k, v in environ.items() if k in _KEPT_ENV_KEYS}


def agent_processes() -> list[AgentProcess]:
    """Every OpenClaw process of the host (all roles)."""
    out: list[AgentProcess] = []
    for proc in psutil.process_iter(["pid", "ppid", "name", "exe", "cmdline", "uids", "username"]):
        info = proc.info
        cmdline = list(info.get("cmdline") or [])
        identity = identify_process(info.get("name") or "", info.get("exe"), cmdline)
        if identity is None:
            continue
        uids = info.get("uids")
        try:
            cwd: str | None = proc.cwd()
        except (psutil.Error, OSError):
            cwd = None
        out.append(
            AgentProcess(
                pid=int(info["pid"]),
                ppid=info.get("ppid"),
                identity=identity,
                uid=uids.real if uids is not None else None,
                username=info.get("username"),
                exe=info.get("exe"),
                cwd=cwd,
                script=_script_path(cmdline),
                env=_location_env(proc),
            )
        )
    return out


def state_dir_hint(proc: AgentProcess, account_home: Path | None) -> tuple[Path | None, Path | None]:
    """(state dir, config path) this process uses according to its environment overrides."""
    env = proc.env
    config = next(
        (env[k] for k in ("OPENCLAW_CONFIG_PATH", "CLAWDBOT_CONFIG_PATH", "MOLTBOT_CONFIG_PATH") if env.get(k)),
        None,
    )
    state = next(
        (env[k] for k in ("OPENCLAW_STATE_DIR", "CLAWDBOT_STATE_DIR", "MOLTBOT_STATE_DIR") if env.get(k)),
        None,
    )
    home = next((env[k] for k in ("OPENCLAW_HOME", "CLAWDBOT_HOME", "MOLTBOT_HOME") if env.get(k)), None)
    profile = next((env[k] for k in ("OPENCLAW_PROFILE", "CLAWDBOT_PROFILE") if env.get(k)), None)
    state_path = Path(state) if state else None
    if state_path is None and (home or account_home):
        base = Path(home) if home else account_home
        assert base is not None
        state_path = base / (f".openclaw-{profile}" if profile else ".openclaw")
    return state_path, Path(config) if config else None

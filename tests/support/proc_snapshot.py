"""Snapshots of live processes (identity, tree, sockets) as plain JSON-able dicts, secrets redacted.

Used by the harness to record what a real gateway looks like (tests/fixtures/openclaw/observed/)
and by tests to find the processes a gateway started.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psutil

# Environment variables whose values are safe and useful to keep (markers OpenClaw sets).
SAFE_ENV_VALUES = frozenset({
    "OPENCLAW_SHELL", "OPENCLAW_CLI", "OPENCLAW_GATEWAY_PORT", "OPENCLAW_PATH_BOOTSTRAPPED",
    "OPENCLAW_SERVICE_MARKER", "OPENCLAW_SERVICE_KIND", "OPENCLAW_SERVICE_VERSION", "OPENCLAW_OFFLINE",
    "OPENCLAW_PROFILE", "OPENCLAW_NO_RESPAWN", "NODE_ENV", "SHELL", "LANG", "TERM",
})
_SECRETISH = re.compile(r"TOKEN|KEY|SECRET|PASSWORD|PASS|CREDENTIAL|AUTH", re.IGNORECASE)


def redacted_env(env: dict[str, str]) -> dict[str, str]:
    """Every key; the value only for SAFE_ENV_VALUES, '<redacted>' for secret-looking keys, else '<set>'."""
    out: dict[str, str] = {}
    for key in sorted(env):
        if key in SAFE_ENV_VALUES and not _SECRETISH.search(key):
            out[key] = env[key]
        else:
            out[key] = "<redacted>" if _SECRETISH.search(key) else "<set>"
    return out


def snapshot(proc: psutil.Process, redact: tuple[str, ...] = ()) -> dict[str, Any]:
    """Identity of one process (Linux /proc views + psutil); any string in `redact` is replaced in
    argv by '<redacted>'. Keys: pid ppid comm (psutil name) comm_raw cmdline cmdline_raw exe cwd
    username create_time environ (see redacted_env)."""
    def scrub(text: str) -> str:
        for secret in redact:
            if secret:
                text = text.replace(secret, "<redacted>")
        return text

    info: dict[str, Any] = {"pid": proc.pid}
    # Raw kernel views: psutil's name() widens the 15-char comm from argv ("openclaw-gateway"),
    # but a sensor reading /proc/PID/comm sees "openclaw-gatewa"; the retitled argv is NUL-padded.
    try:
        info["comm_raw"] = Path(f"/proc/{proc.pid}/comm").read_text().rstrip("\n")
        info["cmdline_raw"] = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        info["comm_raw"] = info["cmdline_raw"] = None
    with proc.oneshot():
        for field, getter in (("ppid", proc.ppid), ("comm", proc.name), ("exe", proc.exe),
                              ("cwd", proc.cwd), ("username", proc.username),
                              ("create_time", proc.create_time)):
            try:
                info[field] = getter()
            except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
                info[field] = None
        try:
            info["cmdline"] = [scrub(a) for a in proc.cmdline()]
        except (psutil.AccessDenied, psutil.ZombieProcess):
            info["cmdline"] = None
        try:
            info["environ"] = redacted_env(proc.environ())
        except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
            info["environ"] = None
    return info


def descendants(pid: int) -> list[psutil.Process]:
    """All live descendants of pid (empty if pid is gone)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def listeners(pid: int) -> list[dict[str, Any]]:
    """TCP/UDP sockets in LISTEN (or bound UDP) state owned by pid."""
    try:
        conns = psutil.Process(pid).net_connections(kind="inet")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
    out = []
    for c in conns:
        if c.status == psutil.CONN_LISTEN or (c.type.name == "SOCK_DGRAM" and not c.raddr):
            out.append({"pid": pid, "proto": "tcp" if c.type.name == "SOCK_STREAM" else "udp",
                        "family": "ipv6" if c.family.name == "AF_INET6" else "ipv4",
                        "ip": c.laddr.ip, "port": c.laddr.port, "status": c.status})
    return sorted(out, key=lambda s: (s["port"], s["ip"]))

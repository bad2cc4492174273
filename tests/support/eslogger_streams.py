"""eslogger streams for replay tests and the benchmark, derived from lines recorded on real Macs.

There is no Mac here, and no public capture shows OpenClaw. So scenario lines are *derived*: every
line starts as a deep copy of a real recorded line (tests/fixtures/eslogger/, macOS 15, message
version 9) and only values change (PIDs, paths, argv, times, sequence numbers); no key is added or
removed. Bodies that macOS 15 recordings lack are assembled from real parts: a ``fork`` body is
``{"child": es_process_t}`` as in the real macOS 26 fork line, an ``open`` body is ``{"fflag", "file":
es_file_t}`` as in the real (trimmed) open capture, with the ``es_file_t`` copied from the real exec
line. ``shape`` lets tests assert that. Output is written like eslogger writes it: one compact JSON
object per line with ``/`` escaped as ``\\/``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "eslogger"
REAL_EXEC = FIXTURES / "macos15-msg9" / "exec.jsonl"
REAL_EXIT = FIXTURES / "macos15-msg9" / "exit.jsonl"
REAL_FORK = FIXTURES / "macos26-msg10" / "fork.jsonl"
REAL_OPEN = FIXTURES / "trimmed" / "tracce-open.trimmed.jsonl"


def real(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def real_lines() -> list[tuple[Path, bytes]]:
    """Every recorded line in the fixtures, with its file."""
    return [(f, line) for f in sorted(FIXTURES.rglob("*.jsonl")) for line in f.read_bytes().splitlines() if line]


def shape(value: Any) -> Any:
    """The key structure of a JSON value (dict keys, recursively; list -> shape of its first item)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).replace("/", "\\/").encode()


class Mac:
    """A sequence of derived messages on one (imaginary) Mac: keeps time and sequence numbers."""

    def __init__(self, start: str = "2026-11-20T09:00:00", uid: int = 501) -> None:
        self._exec = real(REAL_EXEC)
        self._exit = real(REAL_EXIT)
        self.seq = 1000
        self.clock = 0
        self.start = start
        self.uid = uid
        self.procs: dict[int, dict[str, Any]] = {}

    def _time(self) -> str:
        self.clock += 1
        return f"{self.start}.{self.clock:06d}000Z"

    def _envelope(self, template: dict[str, Any], event_type: int, process: dict[str, Any],
                  event: dict[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(template)
        self.seq += 1
        doc.update(event_type=event_type, global_seq_num=self.seq, seq_num=self.seq, time=self._time(),
                   process=process, event=event)
        return doc

    def process(self, pid: int, ppid: int, exe: str, *, uid: int | None = None) -> dict[str, Any]:
        """A real ``es_process_t`` (the exec line's ``target``) with this identity."""
        p = copy.deepcopy(self._exec["event"]["exec"]["target"])
        uid = self.uid if uid is None else uid
        p["audit_token"].update(pid=pid, pidversion=pid * 10 + len(self.procs), ruid=uid, euid=uid)
        p["parent_audit_token"].update(pid=ppid)
        p["ppid"] = p["original_ppid"] = ppid
        p["group_id"] = p["session_id"] = pid
        p["executable"]["path"] = exe
        p["signing_id"] = exe.rsplit("/", 1)[-1]
        p["start_time"] = self._time()[:-4] + "Z"
        self.procs[pid] = p
        return p

    def file(self, path: str) -> dict[str, Any]:
        f = copy.deepcopy(self._exec["event"]["exec"]["target"]["executable"])
        f["path"] = path
        f["path_truncated"] = False
        return f

    def exec(self, pid: int, ppid: int, exe: str, args: Sequence[str], cwd: str, *,
             env: Iterable[str] = ()) -> bytes:
        before = self.procs.get(pid) or self.process(pid, ppid, exe)
        target = self.process(pid, ppid, exe)
        body = copy.deepcopy(self._exec["event"]["exec"])
        body.update(target=target, args=list(args), dyld_exec_path=exe, env=list(env))
        body["cwd"] = self.file(cwd)
        return dumps(self._envelope(self._exec, 9, before, {"exec": body}))

    def fork(self, parent: int, child: int) -> bytes:
        p = self.procs[parent]
        c = copy.deepcopy(p)
        c["audit_token"].update(pid=child, pidversion=child * 10)
        c["parent_audit_token"] = copy.deepcopy(p["audit_token"])
        c["ppid"] = c["original_ppid"] = parent
        self.procs[child] = c
        return dumps(self._envelope(self._exec, 11, p, {"fork": {"child": c}}))

    def open(self, pid: int, path: str, fflag: int = 1) -> bytes:
        return dumps(self._envelope(self._exec, 10, self.procs[pid], {"open": {"fflag": fflag,
                                                                               "file": self.file(path)}}))

    def exit(self, pid: int, stat: int = 0) -> bytes:
        return dumps(self._envelope(self._exit, 15, self.procs[pid], {"exit": {"stat": stat}}))


NODE = "/opt/homebrew/Cellar/node/24.16.0/bin/node"
OPENCLAW_INDEX = "/opt/homebrew/lib/node_modules/openclaw/dist/index.js"


def openclaw_reads_ssh_key(home: str, *, gateway_pid: int = 4100) -> list[bytes]:
    """launchd starts the gateway as OpenClaw's generated LaunchAgent says (env wrapper, then node),
    the gateway's exec tool runs ``bash -c`` which runs ``cat ~/.ssh/id_ed25519``; plus an unrelated
    editor opening the same key's public half and a document (no alert expected for those)."""
    mac = Mac()
    state = f"{home}/.openclaw"
    wrapper = f"{state}/service-env/ai.openclaw.gateway-env-wrapper.sh"
    env_file = f"{state}/service-env/ai.openclaw.gateway.env"
    gw_args = [NODE, OPENCLAW_INDEX, "gateway", "--port", "18789"]
    bash, cat, vim = gateway_pid + 100, gateway_pid + 101, gateway_pid + 500
    mac.process(1, 0, "/sbin/launchd", uid=0)
    lines = [
        mac.fork(1, gateway_pid),
        mac.exec(gateway_pid, 1, "/bin/sh", ["/bin/sh", wrapper, env_file, *gw_args], state,
                 env=["XPC_SERVICE_NAME=ai.openclaw.gateway", f"HOME={home}"]),
        mac.exec(gateway_pid, 1, NODE, gw_args, state,
                 env=["OPENCLAW_GATEWAY_PORT=18789", "OPENCLAW_SERVICE_MARKER=openclaw",
                      "OPENCLAW_GATEWAY_TOKEN=0123456789abcdef0123456789abcdef", f"HOME={home}"]),
        mac.open(gateway_pid, f"{state}/openclaw.json"),
        mac.fork(gateway_pid, bash),
        mac.exec(bash, gateway_pid, "/bin/bash",
                 ["/bin/bash", "--noprofile", "--norc", "-c", "cat ~/.ssh/id_ed25519"], f"{state}/workspace"),
        mac.fork(bash, cat),
        mac.exec(cat, bash, "/bin/cat", ["cat", f"{home}/.ssh/id_ed25519"], f"{state}/workspace"),
        mac.open(cat, f"{home}/.ssh/id_ed25519"),
        mac.exit(cat),
        mac.exit(bash),
    ]
    mac.process(vim, 1, "/usr/bin/vim")
    lines += [
        mac.exec(vim, 1, "/usr/bin/vim", ["vim", f"{home}/.ssh/id_ed25519.pub"], home),
        mac.open(vim, f"{home}/.ssh/id_ed25519.pub"),
        mac.open(vim, f"{home}/Documents/notes.txt"),
        mac.exit(vim),
    ]
    return lines


def open_flood(home: str, paths: Sequence[str], count: int, *, hit_every: int = 0) -> list[bytes]:
    """``count`` opens by one process cycling through ``paths``; every ``hit_every``-th (if > 0) is
    ``~/.ssh/id_ed25519`` instead, the way a credential read hides in a busy Mac's open stream."""
    mac = Mac()
    mac.process(1, 0, "/sbin/launchd", uid=0)
    reader = mac.process(900, 1, "/Applications/Safari.app/Contents/MacOS/Safari")
    lines = [mac.exec(900, 1, reader["executable"]["path"], ["Safari"], "/")]
    for i in range(count):
        hit = hit_every > 0 and i % hit_every == hit_every - 1
        lines.append(mac.open(900, f"{home}/.ssh/id_ed25519" if hit else paths[i % len(paths)]))
    return lines

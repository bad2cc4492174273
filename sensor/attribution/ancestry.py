"""The ancestry cache: every known process, its parent, and the OpenClaw tree it belongs to.

Filled by the process source (exec trigger and pid-diff poll) and lazily by any source that meets an
unknown PID (``resolve`` reads it and its ancestors). A process keeps the command line it had at exec
after it retitles itself (``openclaw-gateway``). The root of a tree is the topmost OpenClaw process,
except that a gateway started directly by an OpenClaw launcher (the CLI respawning node) is the root
of its own tree: ``AgentRootPid`` names the gateway, which is what holds the sockets and runs tools.
Exited processes stay for ``grace_s`` so late events (a file open read after the reader exited) are
still attributed. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from sensor.openclaw.identity import AgentIdentity, identify_process
from sensor.sources.processes.base import ProcessInfo, ProcessReader

MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Attribution:
    product: str
    root_pid: int
    root_image: str | None
    is_agent: bool  # the actor itself is an OpenClaw process
    confidence: str = "exact"


@dataclass(slots=True)
class ProcessNode:
    info: ProcessInfo
    identity: AgentIdentity | None
    attribution: Attribution | None
    exited_at: float | None = None
    seen_at: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.info.pid


def _attribute(info: ProcessInfo, identity: AgentIdentity | None,
               parent: ProcessNode | None) -> Attribution | None:
    if parent is not None and parent.attribution is not None:
        p = parent.attribution
        if identity is not None and identity.role == "gateway" and p.root_pid == parent.pid:
            # the root was a launcher that respawned node with flags (`openclaw gateway run` ->
            # child gateway, or the 2026.2 `openclaw` wrapper): the gateway is the tree's root
            return Attribution(identity.product, info.pid, info.exe, True)
        return Attribution(p.product, p.root_pid, p.root_image, identity is not None, p.confidence)
    if identity is not None:
        return Attribution(identity.product, info.pid, info.exe, True)
    return None


class AncestryCache:
    def __init__(self, reader: ProcessReader, grace_s: float = 10.0, max_entries: int = 200_000) -> None:
        self.reader = reader
        self.grace_s = grace_s
        self.max_entries = max_entries
        self._nodes: dict[int, ProcessNode] = {}
        self._forks: dict[int, int] = {}  # child pid -> parent pid, from fork notifications
        self._exited: deque[tuple[float, int]] = deque()
        self._forks_exited: deque[tuple[float, int]] = deque()
        self._lock = threading.RLock()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, pid: int) -> ProcessNode | None:
        with self._lock:
            return self._nodes.get(pid)

    def note_fork(self, child: int, parent: int) -> None:
        with self._lock:
            if len(self._forks) < self.max_entries:
                self._forks[child] = parent

    def forked_without_exec(self, pid: int) -> bool:
        """A fork notification was seen for this PID and no exec since (it runs its parent's image)."""
        with self._lock:
            return pid in self._forks and pid not in self._nodes

    def observe(self, info: ProcessInfo) -> ProcessNode:
        """Record a process as just exec'd (or first seen); returns its node with attribution."""
        with self._lock:
            ppid = info.ppid if info.ppid is not None else self._forks.get(info.pid)
            parent = self._resolve_locked(ppid, 0) if ppid else None
            identity = identify_process(info.name, info.exe, info.cmdline)
            node = ProcessNode(info, identity, _attribute(info, identity, parent))
            self._store(node)
            return node

    def resolve(self, pid: int) -> ProcessNode | None:
        """The node for a PID, reading it (and unknown ancestors) from the OS when not cached."""
        with self._lock:
            return self._resolve_locked(pid, 0)

    def _resolve_locked(self, pid: int | None, depth: int) -> ProcessNode | None:
        if pid is None or pid <= 0:
            return None
        node = self._nodes.get(pid)
        if node is not None or depth > MAX_DEPTH:
            return node
        info = self.reader.read(pid)
        if info is None:
            parent_pid = self._forks.get(pid)
            if parent_pid is None:
                return None
            # gone already (reaped): what the fork notification said is all we know
            info = ProcessInfo(pid, parent_pid, "", None, (), None, None)
        ppid = info.ppid if info.ppid is not None else self._forks.get(pid)
        parent = self._resolve_locked(ppid, depth + 1) if ppid and ppid != pid else None
        identity = identify_process(info.name, info.exe, info.cmdline)
        node = ProcessNode(info, identity, _attribute(info, identity, parent))
        self._store(node)
        return node

    def _store(self, node: ProcessNode) -> None:
        if len(self._nodes) >= self.max_entries and node.pid not in self._nodes:
            self._evict_exited(force=True)
            if len(self._nodes) >= self.max_entries:
                self.evicted += 1
                return
        self._nodes[node.pid] = node

    def mark_exited(self, pid: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            node = self._nodes.get(pid)
            if node is not None and node.exited_at is None:
                node.exited_at = now
                self._exited.append((now, pid))
            if pid in self._forks:
                self._forks_exited.append((now, pid))

    def expire(self, now: float | None = None) -> int:
        """Forget processes that exited more than ``grace_s`` ago; returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._forks_exited and now - self._forks_exited[0][0] >= self.grace_s:
                self._forks.pop(self._forks_exited.popleft()[1], None)
            return self._evict_exited(now=now)

    def _evict_exited(self, now: float | None = None, force: bool = False) -> int:
        removed = 0
        while self._exited and (force or (now is not None and now - self._exited[0][0] >= self.grace_s)):
            when, pid = self._exited.popleft()
            node = self._nodes.get(pid)
            if node is not None and node.exited_at == when:
                del self._nodes[pid]
                removed += 1
            if force and removed >= 1024:
                break
        return removed

    def freshest(self, node: ProcessNode) -> ProcessNode:
        """The cached node for the same process if it knows more (a reader that was caught as a
        zombie by one source may have been read whole at exec by another)."""
        with self._lock:
            cached = self._nodes.get(node.pid)
        if (cached is not None and cached is not node and not node.info.cmdline and cached.info.cmdline
                and cached.info.start_ticks == node.info.start_ticks):
            return cached
        return node

    def live_pids(self) -> set[int]:
        with self._lock:
            return {pid for pid, n in self._nodes.items() if n.exited_at is None}

    def agent_pids(self) -> set[int]:
        """Live PIDs that are OpenClaw processes or descend from one."""
        with self._lock:
            return {pid for pid, n in self._nodes.items()
                    if n.attribution is not None and n.exited_at is None}

"""Sockets source: diffs snapshots into listener opened/closed and agent-tree outbound connections.

Each poll reads the socket tables without owners (cheap: netlink sock_diag, state-filtered). Owners
are looked up only for sockets that are new since the last poll: new listeners (any process), and
new connected sockets, matched against the fds of the processes of OpenClaw trees (the ancestry
cache knows which PIDs those are). An idle host costs a few small netlink dumps per poll.
Listeners present when the sensor starts are recorded silently; a later close is still reported.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from sensor.attribution.ancestry import AncestryCache, ProcessNode
from sensor.sources.observations import ConnectionOpened, ListenerChanged, Observation, Offer
from sensor.sources.sockets.base import SocketEntry

log = logging.getLogger(__name__)

OUTBOUND_STATES = frozenset({"ESTABLISHED", "SYN_SENT"})


class SocketTable(Protocol):
    """Per-OS access the watcher needs (``linux.LinuxTable``, ``portable.PortableTable``)."""

    def read(self, outbound: bool = True) -> list[SocketEntry]:
        """Listeners (TCP LISTEN, bound UDP) and, when ``outbound``, connected sockets."""

    def owners(self, inodes: set[int]) -> dict[int, int]: ...

    def inodes_of(self, pids: set[int]) -> dict[int, int]: ...


ListenerKey = tuple[str, int, str, int, int | None]


def listener_key(e: SocketEntry) -> ListenerKey:
    return (e.protocol, e.family, e.local_ip, e.local_port, e.inode if e.inode is not None else e.pid)


def connection_key(e: SocketEntry) -> tuple[str, str, int, str | None, int | None, int | None]:
    return (e.protocol, e.local_ip, e.local_port, e.remote_ip, e.remote_port, e.inode or e.pid)


class SocketWatcher:
    name = "sockets"

    def __init__(self, table: SocketTable, ancestry: AncestryCache, poll_interval: float = 1.0,
                 report_udp_listeners: bool = True) -> None:
        self.table = table
        self.ancestry = ancestry
        self.poll_interval = poll_interval
        self.report_udp_listeners = report_udp_listeners
        self.counters: Counter[str] = Counter()
        self.degraded: str | None = None
        self._listeners: dict[ListenerKey, tuple[SocketEntry, ProcessNode | None]] = {}
        self._connections: set[tuple[str, str, int, str | None, int | None, int | None]] = set()
        self._outbound_inodes: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._intake: Offer | None = None
        self.on_listener_change: Callable[[], None] | None = None  # called when an agent listener changes

    def start(self, intake: Offer) -> None:
        self._intake = intake
        self.poll_once(initial=True)
        self._thread = threading.Thread(target=self._loop, name="socket-poll", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll_once()
            except Exception:
                self.counters["poll_errors"] += 1
                log.exception("socket poll failed")

    def _offer(self, obs: Observation) -> None:
        if self._intake is not None:
            self._intake.offer(obs)

    def _node(self, pid: int | None) -> ProcessNode | None:
        return self.ancestry.resolve(pid) if pid else None

    def poll_once(self, initial: bool = False) -> None:
        agent_pids = self.ancestry.agent_pids()
        entries = self.table.read(outbound=bool(agent_pids))
        self._diff_listeners(entries, initial)
        self._diff_agent_connections(entries, agent_pids, initial)

    def _diff_listeners(self, entries: list[SocketEntry], initial: bool) -> None:
        current = {listener_key(e): e for e in entries
                   if e.is_listener and (e.protocol == "tcp" or self.report_udp_listeners)}
        new_keys = current.keys() - self._listeners.keys()
        gone_keys = self._listeners.keys() - current.keys()
        wanted = {current[k].inode for k in new_keys if current[k].inode is not None}
        owners = self.table.owners({i for i in wanted if i is not None}) if wanted else {}
        agent_changed = False
        for key in new_keys:
            e = current[key]
            pid = e.pid if e.pid is not None else (owners.get(e.inode) if e.inode is not None else None)
            node = self._node(pid)
            self._listeners[key] = (e, node)
            if not initial:
                self.counters["listeners_opened"] += 1
                self._offer(ListenerChanged(e, True, node))
                agent_changed |= node is not None and node.attribution is not None
        for key in gone_keys:
            e, node = self._listeners.pop(key)
            self.counters["listeners_closed"] += 1
            self._offer(ListenerChanged(e, False, node))
            agent_changed |= node is not None and node.attribution is not None
        if agent_changed and self.on_listener_change is not None:
            self.on_listener_change()

    def _diff_agent_connections(self, entries: list[SocketEntry], agent_pids: set[int], initial: bool) -> None:
        if not agent_pids:
            self._connections.clear()
            self._outbound_inodes = set()
            return
        listening_ports = {e.local_port for e in entries if e.is_listener}
        outbound = [e for e in entries if e.remote_ip is not None and e.local_port not in listening_ports
                    and (e.protocol != "tcp" or e.state in OUTBOUND_STATES)]
        inodes = {e.inode for e in outbound if e.inode is not None}
        new_inodes = inodes - self._outbound_inodes
        self._outbound_inodes = inodes
        # owners are only looked up when a connected socket appeared since the last poll
        inode_pid = self.table.inodes_of(agent_pids) if new_inodes else {}
        seen: set[tuple[str, str, int, str | None, int | None, int | None]] = set()
        for e in outbound:
            key = connection_key(e)
            if key in self._connections:
                seen.add(key)
                continue
            if e.pid is not None:
                pid: int | None = e.pid
            elif e.inode in new_inodes:
                pid = inode_pid.get(e.inode)
            else:
                continue  # looked at when it was new: not an agent's
            if pid is None or pid not in agent_pids:
                continue
            seen.add(key)
            node = self._node(pid) if not initial else None
            if node is None:
                continue
            self.counters["agent_connections"] += 1
            self._offer(ConnectionOpened(e, node))
        self._connections = seen

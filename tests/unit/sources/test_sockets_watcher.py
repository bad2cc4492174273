"""SocketWatcher: listener opened/closed and agent-tree outbound connections, on real sockets."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from sensor.attribution.ancestry import AncestryCache
from sensor.sources.observations import ConnectionOpened, ListenerChanged
from sensor.sources.processes.linux import ProcReader
from sensor.sources.sockets.linux import LinuxTable
from sensor.sources.sockets.watcher import SocketWatcher
from tests.unit.sources.agent_like import start_agent_like, stop
from tests.unit.sources.conftest import Collector

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc tables")

AGENT_CONNECTS = """
import socket, sys, time
port = int(sys.argv[2])
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
print(listener.getsockname()[1], flush=True)
conn = socket.create_connection(("127.0.0.1", port))
print(conn.getsockname()[1], flush=True)
time.sleep(30)
"""


def _watcher() -> SocketWatcher:
    return SocketWatcher(LinuxTable(), AncestryCache(ProcReader()), poll_interval=60)


def test_listener_opened_and_closed_with_owner(collector: Collector) -> None:
    watcher = _watcher()
    watcher.start(collector)
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.listen()
        port = s.getsockname()[1]
        watcher.poll_once()
        opened = collector.wait_for(lambda o: isinstance(o, ListenerChanged) and o.entry.local_port == port)
        assert isinstance(opened, ListenerChanged) and opened.opened
        assert opened.node is not None and opened.node.pid == os.getpid()
        assert opened.entry.local_ip == "::1"
        s.close()
        watcher.poll_once()
        closed = collector.wait_for(
            lambda o: isinstance(o, ListenerChanged) and o.entry.local_port == port and not o.opened
        )
        assert isinstance(closed, ListenerChanged) and closed.node is not None
    finally:
        watcher.stop()


def test_listeners_present_at_start_are_not_reported_as_new(collector: Collector) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    watcher = _watcher()
    watcher.start(collector)
    try:
        watcher.poll_once()
        assert not [o for o in collector.items if isinstance(o, ListenerChanged) and o.entry.local_port == port]
    finally:
        s.close()
        watcher.stop()


def test_agent_outbound_connection_reported_inbound_not(tmp_path: Path, collector: Collector) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server_port = server.getsockname()[1]
    watcher = _watcher()
    watcher.start(collector)
    agent = start_agent_like(tmp_path, AGENT_CONNECTS, str(server_port))
    try:
        assert agent.stdout is not None
        agent_listen_port = int(agent.stdout.readline())
        client_port = int(agent.stdout.readline())
        accepted, _ = server.accept()
        # inbound connection to the agent's own listener must not count as egress
        inbound = socket.create_connection(("127.0.0.1", agent_listen_port))
        watcher.ancestry.resolve(agent.pid)
        watcher.poll_once()
        out = collector.wait_for(lambda o: isinstance(o, ConnectionOpened))
        assert isinstance(out, ConnectionOpened)
        assert out.entry.local_port == client_port and out.entry.remote_port == server_port
        assert out.node.pid == agent.pid and out.node.attribution is not None
        listener = collector.wait_for(
            lambda o: isinstance(o, ListenerChanged) and o.entry.local_port == agent_listen_port
        )
        assert isinstance(listener, ListenerChanged) and listener.node is not None
        assert listener.node.attribution is not None and listener.node.attribution.root_pid == agent.pid
        conns = [o for o in collector.items if isinstance(o, ConnectionOpened)]
        assert len(conns) == 1
        watcher.poll_once()
        assert len([o for o in collector.items if isinstance(o, ConnectionOpened)]) == 1  # not repeated
        inbound.close()
        accepted.close()
    finally:
        stop(agent)
        server.close()
        watcher.stop()

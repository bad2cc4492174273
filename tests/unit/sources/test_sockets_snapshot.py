"""list_sockets() against real sockets this test opens on loopback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from sensor.sources.sockets import SocketEntry, list_sockets
from sensor.sources.sockets.linux import decode_address, parse_table


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def _find(entries: list[SocketEntry], protocol: str, port: int, state: str | None = None) -> list[SocketEntry]:
    return [
        e for e in entries if e.protocol == protocol and e.local_port == port and (state is None or e.state == state)
    ]


def test_tcp_listener_ipv4(sockets: list[socket.socket]) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sockets.append(s)
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    [entry] = _find(list_sockets(), "tcp", port, "LISTEN")
    assert entry.family == socket.AF_INET
    assert entry.local_ip == "127.0.0.1"
    assert entry.remote_ip is None and entry.remote_port is None
    assert entry.pid == os.getpid()
    assert entry.uid == os.getuid()
    assert entry.is_listener


def test_tcp_listener_ipv6_and_established_pair(sockets: list[socket.socket]) -> None:
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sockets.append(srv)
    srv.bind(("::1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    cli = socket.create_connection(("::1", port))
    sockets.append(cli)
    acc, _ = srv.accept()
    sockets.append(acc)
    entries = list_sockets()
    [listener] = _find(entries, "tcp", port, "LISTEN")
    assert listener.local_ip == "::1" and listener.family == socket.AF_INET6
    cport = cli.getsockname()[1]
    [outbound] = _find(entries, "tcp", cport, "ESTABLISHED")
    assert outbound.remote_ip == "::1" and outbound.remote_port == port
    assert outbound.pid == os.getpid()
    assert not outbound.is_listener


def test_ipv4_mapped_on_dual_stack_socket(sockets: list[socket.socket]) -> None:
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sockets.append(srv)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::ffff:127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    [entry] = _find(list_sockets(), "tcp", port, "LISTEN")
    assert entry.family == socket.AF_INET6
    assert entry.local_ip == "127.0.0.1"


def test_udp_bound_and_connected(sockets: list[socket.socket]) -> None:
    bound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sockets.append(bound)
    bound.bind(("127.0.0.1", 0))
    bport = bound.getsockname()[1]
    conn = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sockets.append(conn)
    conn.connect(("127.0.0.1", bport))
    cport = conn.getsockname()[1]
    entries = list_sockets()
    [b] = _find(entries, "udp", bport)
    assert b.state == "NONE" and b.remote_ip is None and b.is_listener
    [c] = _find(entries, "udp", cport)
    assert c.state == "ESTABLISHED" and c.remote_port == bport and not c.is_listener


def test_closed_socket_disappears(sockets: list[socket.socket]) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    assert _find(list_sockets(), "tcp", port, "LISTEN")
    s.close()
    assert not _find(list_sockets(), "tcp", port, "LISTEN")


def test_decode_address_byte_order() -> None:
    # the kernel prints 127.0.0.1 as 0100007F on little-endian hosts (host order word)
    import struct

    word = struct.unpack("=I", socket.inet_aton("10.1.2.3"))[0]
    assert decode_address(f"{word:08X}", socket.AF_INET) == "10.1.2.3"


def test_parse_table_skips_malformed_lines() -> None:
    text = "header\n garbage line\n  0: ZZZZ:0050 00000000:0000 0A 0 0 0 0 0 0 1\n"
    assert list(parse_table(text, "tcp", socket.AF_INET)) == []


def test_sock_diag_agrees_with_proc_tables(sockets: list[socket.socket]) -> None:
    from sensor.sources.sockets.linux import read_sockets
    from sensor.sources.sockets.sock_diag import SockDiag

    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sockets.append(srv)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.bind(("::ffff:127.0.0.1", 0))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", srv.getsockname()[1]))
    sockets.append(cli)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sockets.append(udp)
    udp.bind(("127.0.0.1", 0))
    ours = {s.fileno() for s in sockets}
    assert ours
    diag = SockDiag()
    try:
        with_outbound = diag.listeners_and(True)
        listeners_only = diag.listeners_and(False)
    finally:
        diag.close()
    proc = read_sockets()
    wanted_ports = {srv.getsockname()[1], cli.getsockname()[1], udp.getsockname()[1]}

    def key(e: SocketEntry) -> tuple[object, ...]:
        return (e.protocol, e.family, e.local_ip, e.local_port, e.remote_ip, e.remote_port, e.state, e.uid,
                e.inode)

    from_proc = {key(e) for e in proc if e.local_port in wanted_ports}
    from_diag = {key(e) for e in with_outbound if e.local_port in wanted_ports}
    # listener, client side, server side (queued, not yet accepted), bound UDP
    assert from_diag == from_proc and len(from_diag) == 4
    assert {e.state for e in listeners_only if e.local_port in wanted_ports} == {"LISTEN", "NONE"}

"""Linux sockets through netlink sock_diag (what `ss` uses), filtered by state in the kernel.

The socket watcher polls every second; /proc/net/tcp makes the kernel print every socket of the
host as text (thousands of TIME_WAIT lines on a busy machine), while sock_diag returns only the
states asked for (LISTEN, or ESTABLISHED/SYN_SENT when an agent tree exists) in binary.
No privileges needed. ``SockDiagUnavailable`` when the kernel refuses; callers fall back to /proc.
"""

from __future__ import annotations

import errno
import os
import socket
import struct

from sensor.sources.sockets.base import TCP_STATES, SocketEntry

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_HDR = struct.Struct("=IHHII")
REQ = struct.Struct("=BBBBI")  # family, protocol, ext, pad, states; then an all-zero sockid
SOCKID_SIZE = 48
MSG = struct.Struct("=BBBB")  # family, state, timer, retrans
MSG_TAIL = struct.Struct("=IIIII")  # expires, rqueue, wqueue, uid, inode
MSG_SIZE = MSG.size + SOCKID_SIZE + MSG_TAIL.size

TCP_LISTEN = 10
TCP_ESTABLISHED = 1
TCP_SYN_SENT = 2
TCP_CLOSE = 7
LISTEN_MASK = 1 << TCP_LISTEN
OUTBOUND_MASK = (1 << TCP_ESTABLISHED) | (1 << TCP_SYN_SENT)
ALL_STATES = 0xFFFFFFFF


class SockDiagUnavailable(OSError):
    pass


def _address(raw: bytes, family: int) -> str:
    if family == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[:4])
    if raw[:12] == b"\0" * 10 + b"\xff\xff":
        return socket.inet_ntop(socket.AF_INET, raw[12:16])  # IPv4-mapped: plain IPv4
    return socket.inet_ntop(socket.AF_INET6, raw)


def parse_message(data: bytes, offset: int, protocol: str) -> SocketEntry:
    family, state = MSG.unpack_from(data, offset)[:2]
    sid = offset + MSG.size
    sport, dport = struct.unpack_from("!HH", data, sid)
    src = data[sid + 4 : sid + 20]
    dst = data[sid + 20 : sid + 36]
    _exp, _rq, _wq, uid, inode = MSG_TAIL.unpack_from(data, sid + SOCKID_SIZE)
    has_peer = dport != 0
    if protocol == "tcp":
        state_name = TCP_STATES.get(state, f"UNKNOWN_{state:02X}")
    else:
        state_name = "ESTABLISHED" if state == TCP_ESTABLISHED and has_peer else "NONE"
    return SocketEntry(protocol, family, _address(src, family), sport,
                       _address(dst, family) if has_peer else None, dport if has_peer else None,
                       state_name, None, uid, inode or None)


class SockDiag:
    def __init__(self) -> None:
        try:
            self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
        except OSError as exc:
            raise SockDiagUnavailable(exc.errno or errno.EPROTONOSUPPORT, f"sock_diag: {exc}") from exc
        self._sock.settimeout(2.0)
        self._seq = 0

    def close(self) -> None:
        self._sock.close()

    def dump(self, family: int, protocol: str, states: int) -> list[SocketEntry]:
        proto = socket.IPPROTO_TCP if protocol == "tcp" else socket.IPPROTO_UDP
        self._seq += 1
        body = REQ.pack(family, proto, 0, 0, states) + b"\0" * SOCKID_SIZE
        header = NLMSG_HDR.pack(NLMSG_HDR.size + len(body), SOCK_DIAG_BY_FAMILY,
                                NLM_F_REQUEST | NLM_F_DUMP, self._seq, 0)
        self._sock.send(header + body)
        out: list[SocketEntry] = []
        while True:
            data = self._sock.recv(1 << 20)
            offset = 0
            while offset + NLMSG_HDR.size <= len(data):
                length, msg_type, _flags, seq, _pid = NLMSG_HDR.unpack_from(data, offset)
                if length < NLMSG_HDR.size:
                    return out
                if seq == self._seq:
                    if msg_type == NLMSG_DONE:
                        return out
                    if msg_type == NLMSG_ERROR:
                        code = -struct.unpack_from("=i", data, offset + NLMSG_HDR.size)[0]
                        raise SockDiagUnavailable(code, f"sock_diag: {os.strerror(code)}")
                    if msg_type == SOCK_DIAG_BY_FAMILY and length >= NLMSG_HDR.size + MSG_SIZE:
                        out.append(parse_message(data, offset + NLMSG_HDR.size, protocol))
                offset += (length + 3) & ~3

    def listeners_and(self, outbound: bool) -> list[SocketEntry]:
        """TCP listeners, every UDP socket, and (``outbound``) TCP ESTABLISHED/SYN_SENT."""
        out: list[SocketEntry] = []
        for family in (socket.AF_INET, socket.AF_INET6):
            out.extend(self.dump(family, "tcp", LISTEN_MASK | (OUTBOUND_MASK if outbound else 0)))
            out.extend(self.dump(family, "udp", ALL_STATES))
        return out

"""``|cidr``: real address parsing with ``ipaddress`` (IPv4 and IPv6, any spelling).

A value that is not an IP address (``192.168.00.1`` included: leading zeros are rejected) never
matches; an IPv4 network never matches an IPv6 address and vice versa (no mapped-address folding).
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from sensor.engine.compiler.base import Compiled, Need, literal_need, on_text
from sensor.engine.errors import RuleCompileError


def compile_cidr(field: str | None, network_text: str) -> Compiled:
    if field is None:
        raise RuleCompileError("cidr value without a field")
    try:
        network = ip_network(network_text, strict=False)
    except ValueError as exc:
        raise RuleCompileError(f"invalid network {network_text!r}: {exc}") from exc

    def inside(text: str) -> bool:
        if len(text) > 64:
            return False
        try:
            return ip_address(text.strip("[]")) in network
        except ValueError:
            return False

    return Compiled(on_text(field, inside), _prefix_need(field, network))


def _prefix_need(field: str, network: IPv4Network | IPv6Network) -> Need | None:
    """IPv4 text is canonical (``ipaddress`` rejects other spellings), so every address of a /8 or
    longer network starts with the network's leading octets."""
    if network.version != 4 or network.prefixlen < 8:
        return None
    octets = str(network.network_address).split(".")
    whole = network.prefixlen // 8
    literal = ".".join(octets[:whole]) + ("" if whole == 4 else ".")
    return literal_need(field, literal)

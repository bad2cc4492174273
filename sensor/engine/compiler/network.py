"""``|cidr``: real address parsing with ``ipaddress`` (IPv4 and IPv6, any spelling).

A value that is not an IP address (``192.168.00.1`` included: leading zeros are rejected) never
matches; an IPv4 network never matches an IPv6 address and vice versa (no mapped-address folding).
"""

from __future__ import annotations

from ipaddress import ip_address

from sigma.types import SigmaCIDRExpression

from sensor.engine.compiler.base import Compiled, on_text
from sensor.engine.errors import RuleCompileError


def compile_cidr(field: str | None, value: SigmaCIDRExpression) -> Compiled:
    if field is None:
        raise RuleCompileError("cidr value without a field")
    network = value.network

    def inside(text: str) -> bool:
        if len(text) > 64:
            return False
        try:
            return ip_address(text.strip("[]")) in network
        except ValueError:
            return False

    return Compiled(on_text(field, inside))

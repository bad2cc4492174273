"""Reading a request body under size limits, before and after gzip (no decompression bombs)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator


class BodyTooLarge(Exception):
    pass


class BadEncoding(Exception):
    pass


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    buf = bytearray()
    async for chunk in chunks:
        buf += chunk
        if len(buf) > limit:
            raise BodyTooLarge(f"request body exceeds {limit} bytes")
    return bytes(buf)


def decode(raw: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (identity or gzip), refusing output beyond ``limit`` bytes."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding != "gzip":
        raise BadEncoding(f"unsupported Content-Encoding {encoding[:40]!r}; use gzip or none")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise BadEncoding("body is not valid gzip") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise BodyTooLarge(f"decompressed body exceeds {limit} bytes")
    if not inflater.eof:
        raise BadEncoding("gzip body is truncated")
    return out

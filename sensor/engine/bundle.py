"""A compiled rule bundle: the IR of a rule set (``ir.py``) in one JSON file, built ahead of time.

``clawwatch rules compile PATH... -o FILE`` writes one; the package ships the bundle of its own
detection pack (``sensor/engine/bundled/detections.json``). A bundle records the ``source_hash``
of what it was compiled from (sources.py: rule files, variables, pipelines, IR format, pySigma
version): the sensor hashes the YAML at start and loads the bundle only if the hashes agree, so it
starts without parsing YAML or importing pySigma unless the rules changed. Plain JSON (never
pickle): loading a bundle runs no code from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from sensor.engine import ir
from sensor.engine.correlation.base import CorrelationSpec
from sensor.engine.errors import RuleLoadError

MAGIC = "clawwatch-rule-bundle"
SHIPPED = Path(__file__).resolve().parent / "bundled" / "detections.json"
MAX_BUNDLE_BYTES = 256 << 20


class BundleError(ValueError):
    """The file is not a readable bundle of this engine's format."""


@dataclass
class RuleBundle:
    source_hash: str
    rules: list[ir.RuleSpec] = field(default_factory=list)
    correlations: list[CorrelationSpec] = field(default_factory=list)
    errors: list[RuleLoadError] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "magic": MAGIC,
                "format": ir.FORMAT,
                "source_hash": self.source_hash,
                "rules": self.rules,
                "correlations": [dataclasses.asdict(c) for c in self.correlations],
                "errors": [
                    {"path": str(e.path) if e.path else None, "rule_id": e.rule_id, "title": e.title,
                     "reason": e.reason}
                    for e in self.errors
                ],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> RuleBundle:
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise BundleError(f"not JSON: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("magic") != MAGIC:
            raise BundleError("not a clawwatch rule bundle")
        if doc.get("format") != ir.FORMAT:
            raise BundleError(f"bundle format {doc.get('format')!r}, this engine reads {ir.FORMAT}")
        try:
            return cls(
                source_hash=str(doc["source_hash"]),
                rules=[_rule(r) for r in doc["rules"]],
                correlations=[CorrelationSpec(**c) for c in doc["correlations"]],
                errors=[
                    RuleLoadError(Path(e["path"]) if e["path"] else None, e["rule_id"], e["title"], str(e["reason"]))
                    for e in doc["errors"]
                ],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"malformed bundle: {exc!r}") from exc

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> RuleBundle:
        try:
            if path.stat().st_size > MAX_BUNDLE_BYTES:
                raise BundleError(f"{path}: larger than {MAX_BUNDLE_BYTES} bytes")
            return cls.from_bytes(path.read_bytes())
        except OSError as exc:
            raise BundleError(f"{path}: cannot read: {exc.strerror or exc}") from exc


_RULE_KEYS = frozenset(ir.RuleSpec.__annotations__)


def _rule(raw: Any) -> ir.RuleSpec:
    if not isinstance(raw, dict) or set(raw) != _RULE_KEYS:
        raise ValueError("rule entry with unexpected keys")
    return raw  # type: ignore[return-value]  # checked above; the compiler checks the IR itself

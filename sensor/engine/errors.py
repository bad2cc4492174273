"""Errors the engine reports about rules: each names the file, the rule and the reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RuleLoadError:
    """A rule (or a whole file) that could not be loaded or compiled; the engine keeps going."""

    path: Path | None
    rule_id: str | None
    title: str | None
    reason: str

    def __str__(self) -> str:
        where = str(self.path) if self.path else "<string>"
        if not self.title and not self.rule_id:
            return f"{where}: {self.reason}"
        who = self.title or "(untitled)"
        if self.rule_id:
            who = f"{who} ({self.rule_id})"
        return f"{where}: rule {who}: {self.reason}"


class RuleCompileError(Exception):
    """Raised inside the compiler for a detection the engine cannot evaluate; becomes a RuleLoadError."""

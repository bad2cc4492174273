"""Reads MITRE ATT&CK references out of Sigma tags (``attack.t1059.001``, ``attack.execution``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TECHNIQUE = re.compile(r"^attack\.(t\d{4})(?:\.(\d{3}))?$", re.IGNORECASE)
_TACTIC = re.compile(r"^attack\.([a-z][a-z_-]+)$", re.IGNORECASE)

# Sigma writes tactics in snake/kebab case; ATT&CK ids for the enterprise tactics.
TACTIC_IDS: dict[str, str] = {
    "reconnaissance": "TA0043",
    "resource_development": "TA0042",
    "initial_access": "TA0001",
    "execution": "TA0002",
    "persistence": "TA0003",
    "privilege_escalation": "TA0004",
    "defense_evasion": "TA0005",
    "credential_access": "TA0006",
    "discovery": "TA0007",
    "lateral_movement": "TA0008",
    "collection": "TA0009",
    "command_and_control": "TA0011",
    "exfiltration": "TA0010",
    "impact": "TA0040",
}


@dataclass(frozen=True)
class Technique:
    id: str  # T1059
    subtechnique_id: str | None = None  # T1059.001


@dataclass
class AttackRefs:
    techniques: list[Technique] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)  # snake_case names


def parse_attack_tags(tags: list[str]) -> AttackRefs:
    refs = AttackRefs()
    for tag in tags:
        technique = _TECHNIQUE.match(tag)
        if technique:
            base = technique.group(1).upper()
            sub = f"{base}.{technique.group(2)}" if technique.group(2) else None
            item = Technique(base, sub)
            if item not in refs.techniques:
                refs.techniques.append(item)
            continue
        tactic = _TACTIC.match(tag)
        if tactic:
            name = tactic.group(1).lower().replace("-", "_")
            if name in TACTIC_IDS and name not in refs.tactics:
                refs.tactics.append(name)
    return refs


def tactic_display_name(name: str) -> str:
    return " ".join(part.capitalize() for part in name.split("_")).replace("And", "and")

"""``rules check``: pySigma parsing + compilation (via the engine) plus pySigma's offline validators.

Validators that download data at run time (MITRE ATT&CK / D3FEND tag lists) are excluded, so the
check works offline. Validator findings are warnings; load/compile errors are errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from sigma.collection import SigmaCollection
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.validation import SigmaValidator
from sigma.validators.core import validators

from sensor.engine.engine import Engine
from sensor.engine.errors import RuleLoadError
from sensor.engine.sources import MAX_RULE_FILE_BYTES, rule_files

ONLINE_VALIDATORS = frozenset({"attacktag", "d3_fendtag"})


@dataclass(frozen=True)
class Finding:
    path: Path
    rule: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: rule {self.rule}: {self.severity}: {self.message}"


@dataclass
class CheckResult:
    rules: int
    errors: list[RuleLoadError]
    findings: list[Finding]


def offline_validator() -> SigmaValidator:
    return SigmaValidator([cls for name, cls in validators.items() if name not in ONLINE_VALIDATORS])


def check(paths: Sequence[Path], variables: Mapping[str, list[str]] | None = None) -> CheckResult:
    """``variables`` fill ``|expand`` placeholders (``%name%``), as ``rules match --var`` does."""
    engine = Engine.load(paths, variables=variables)
    validator = offline_validator()
    findings: list[Finding] = []
    for path in rule_files(paths):
        try:
            if path.stat().st_size > MAX_RULE_FILE_BYTES:
                continue
            text = path.read_text(encoding="utf-8")
            documents = list(yaml.safe_load_all(text))
            if documents and isinstance(documents[0], dict) and "transformations" in documents[0]:
                continue
            collection = SigmaCollection.from_yaml(text, collect_errors=True)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, SigmaError, ValueError):
            continue  # already reported by the engine load
        for rule in collection.rules:
            if rule.errors or not isinstance(rule, SigmaRule):
                continue
            try:
                issues = validator.validate_rule(rule)
            except Exception as exc:
                findings.append(Finding(path, str(rule.title), "error", f"validator failed: {exc}"))
                continue
            for issue in issues:
                findings.append(
                    Finding(
                        path,
                        f"{rule.title} ({rule.id})" if rule.id else str(rule.title),
                        issue.severity.name.lower(),
                        f"{type(issue).__name__}: {issue.description}",
                    )
                )
    return CheckResult(rules=len(engine.rules) + len(engine.correlations), errors=engine.errors, findings=findings)

"""Reading rule files: pySigma parsing and validation, compilation, errors naming file and rule.

Files are read without following symlinks out of the given directories, at most ``MAX_RULE_FILE_BYTES``
each. ``*.tests.yml`` files and processing pipelines (YAML with top-level ``transformations``) are not
rules and are skipped. Every problem becomes a ``RuleLoadError``; nothing here raises for a bad rule.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.modifiers import SigmaWideModifier, modifier_mapping
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import transformations
from sigma.processing.transformations.base import PreprocessingTransformation
from sigma.rule import SigmaRule

from sensor.engine.errors import RuleLoadError

MAX_RULE_FILE_BYTES = 1 << 20

# The Sigma specification names `utf16le` (= `wide`); pySigma 2.0.1 only knows `wide`, `utf16be` and
# `utf16`. Register the spec's name as an alias of pySigma's own UTF-16LE modifier.
modifier_mapping.setdefault("utf16le", SigmaWideModifier)
RULE_SUFFIXES = (".yml", ".yaml")
TESTS_SUFFIX = ".tests.yml"


@dataclass
class LoadedFile:
    path: Path | None
    rules: list[SigmaRule]
    correlations: list[SigmaCorrelationRule]


def rule_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Rule files under ``paths`` (files as given; directories walked without following symlinks)."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if _is_rule_name(name) and not candidate.is_symlink():
                        yield candidate
        else:
            yield path


def _is_rule_name(name: str) -> bool:
    return name.endswith(RULE_SUFFIXES) and not name.endswith(TESTS_SUFFIX)


def placeholder_pipeline(variables: Mapping[str, list[str]]) -> ProcessingPipeline:
    """``|expand`` placeholders (``%name%``) filled from ``variables``."""
    transformation = cast(PreprocessingTransformation, transformations["value_placeholders"]())
    item = ProcessingItem(transformation)
    return ProcessingPipeline(items=[item], vars={k: list(v) for k, v in variables.items()})


def _title_and_id(rule: Any) -> tuple[str | None, str | None]:
    return getattr(rule, "title", None), (str(rule.id) if getattr(rule, "id", None) else None)


def _error(path: Path | None, rule: Any, reason: str) -> RuleLoadError:
    title, rule_id = _title_and_id(rule) if rule is not None else (None, None)
    return RuleLoadError(path=path, rule_id=rule_id, title=title, reason=reason)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _is_pipeline(documents: list[Any]) -> bool:
    return bool(documents) and isinstance(documents[0], dict) and "transformations" in documents[0]


def load_text(
    text: str, path: Path | None, pipeline: ProcessingPipeline | None
) -> tuple[LoadedFile | None, list[RuleLoadError]]:
    """Parse one file's text; returns the loaded rules (or None for a non-rule file) and errors."""
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        return None, [_error(path, None, f"invalid YAML: {exc}")]
    if _is_pipeline(documents):
        return None, []
    if not any(isinstance(d, dict) for d in documents):
        return None, [_error(path, None, "no Sigma rule in file")]
    source = SigmaRuleLocation(path) if path is not None else None
    try:
        collection = SigmaCollection.from_yaml(text, collect_errors=True, source=source)
    except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return None, [_error(path, None, _describe(exc))]
    errors: list[RuleLoadError] = []
    loaded = LoadedFile(path=path, rules=[], correlations=[])
    for rule in collection.rules:
        if rule.errors:
            errors.extend(_error(path, rule, _describe(e)) for e in rule.errors)
            continue
        if isinstance(rule, SigmaCorrelationRule):
            loaded.correlations.append(rule)
        elif isinstance(rule, SigmaRule):
            if pipeline is not None:
                try:
                    pipeline.apply(rule)
                except (SigmaError, ValueError) as exc:
                    errors.append(_error(path, rule, _describe(exc)))
                    continue
            loaded.rules.append(rule)
    return loaded, errors


def load_file(path: Path, pipeline: ProcessingPipeline | None) -> tuple[LoadedFile | None, list[RuleLoadError]]:
    try:
        if path.stat().st_size > MAX_RULE_FILE_BYTES:
            return None, [_error(path, None, f"file larger than {MAX_RULE_FILE_BYTES} bytes")]
        raw = path.read_bytes()[: MAX_RULE_FILE_BYTES + 1]
        text = raw.decode("utf-8")
    except OSError as exc:
        return None, [_error(path, None, f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return None, [_error(path, None, f"not UTF-8: {exc}")]
    return load_text(text, path, pipeline)

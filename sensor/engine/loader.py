"""Reading rule files: YAML + pySigma parsing and validation, processing pipelines, the front end.

Every problem becomes a ``RuleLoadError`` naming file, rule and reason; nothing here raises for a bad
rule. Files over ``MAX_RULE_FILE_BYTES`` are refused; processing pipelines (YAML with top-level
``transformations``) in a rule directory are not rules and are skipped.

Pipelines (``rules match --pipeline``): pySigma's own, found by pySigma's plugin discovery
(``sysmon``, ``windows-logsources``, ``windows-audit`` from pysigma-pipeline-sysmon/-windows,
``ecs_windows`` ... from pysigma-backend-elasticsearch), the ones shipped in
``sensor/engine/pipelines/`` (by file stem), or a pipeline YAML file. Several are combined in
priority order by pySigma's resolver; ``|expand`` placeholders are filled first.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import SigmaError, SigmaRuleLocation
from sigma.modifiers import SigmaWideModifier, modifier_mapping
from sigma.plugins import InstalledSigmaPlugins
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.resolver import ProcessingPipelineResolver
from sigma.processing.transformations import transformations
from sigma.processing.transformations.base import PreprocessingTransformation
from sigma.rule import SigmaRule

from sensor.engine import frontend, ir
from sensor.engine.correlation.base import CorrelationSpec
from sensor.engine.errors import RuleCompileError, RuleLoadError
from sensor.engine.sources import MAX_RULE_FILE_BYTES, TESTS_SUFFIX, rule_files

__all__ = [
    "MAX_RULE_FILE_BYTES",
    "TESTS_SUFFIX",
    "CompiledSources",
    "PipelineError",
    "compile_sources",
    "compile_text",
    "placeholder_pipeline",
    "resolve_pipelines",
    "rule_files",
]

# The Sigma specification names `utf16le` (= `wide`); pySigma 2.0.1 only knows `wide`, `utf16be` and
# `utf16`. Register the spec's name as an alias of pySigma's own UTF-16LE modifier.
modifier_mapping.setdefault("utf16le", SigmaWideModifier)
SHIPPED_PIPELINES = Path(__file__).resolve().parent / "pipelines"


class PipelineError(ValueError):
    """A ``--pipeline`` that is neither installed, shipped, nor a readable pipeline file."""


@dataclass
class LoadedFile:
    path: Path | None
    rules: list[SigmaRule]
    correlations: list[SigmaCorrelationRule]


@dataclass
class CompiledSources:
    """The front end's output: what a compiled bundle holds."""

    rules: list[ir.RuleSpec] = field(default_factory=list)
    correlations: list[CorrelationSpec] = field(default_factory=list)
    errors: list[RuleLoadError] = field(default_factory=list)


def placeholder_pipeline(variables: Mapping[str, list[str]]) -> ProcessingPipeline:
    """``|expand`` placeholders (``%name%``) filled from ``variables``."""
    transformation = cast(PreprocessingTransformation, transformations["value_placeholders"]())
    item = ProcessingItem(transformation)
    return ProcessingPipeline(items=[item], vars={k: list(v) for k, v in variables.items()})


@functools.cache
def _available_pipelines() -> dict[str, Any]:
    found: dict[str, Any] = dict(InstalledSigmaPlugins.autodiscover(include_backends=False,
                                                                   include_validators=False).pipelines)
    for shipped in sorted(SHIPPED_PIPELINES.glob("*.yml")):
        found.setdefault(shipped.stem, shipped)
    return found


def resolve_pipelines(specs: Sequence[str]) -> ProcessingPipeline | None:
    """The pipelines named by ``specs`` combined in priority order, or None for none."""
    if not specs:
        return None
    available = _available_pipelines()
    resolver = ProcessingPipelineResolver()
    for spec in specs:
        target = available.get(spec)
        if isinstance(target, Path):
            resolver.pipelines[spec] = _pipeline_from_file(target)
        elif target is not None:
            resolver.pipelines[spec] = target
        else:
            path = Path(spec)
            if not path.is_file():
                names = ", ".join(sorted(available)) or "none"
                raise PipelineError(f"pipeline {spec!r} is not installed and not a file (available: {names})")
            resolver.pipelines[spec] = _pipeline_from_file(path)
    try:
        return resolver.resolve(list(specs))
    except (SigmaError, ValueError) as exc:
        raise PipelineError(f"cannot combine pipelines {', '.join(specs)}: {exc}") from exc


def _pipeline_from_file(path: Path) -> ProcessingPipeline:
    try:
        return ProcessingPipeline.from_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, SigmaError, ValueError, TypeError) as exc:
        raise PipelineError(f"{path}: not a usable processing pipeline: {exc}") from exc


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
                except (SigmaError, ValueError, TypeError, KeyError, AttributeError) as exc:
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


def _pipeline(variables: Mapping[str, list[str]] | None, pipelines: Sequence[str]) -> ProcessingPipeline:
    combined = resolve_pipelines(pipelines)
    base = placeholder_pipeline(variables or {})
    return base if combined is None else base + combined


def _add(out: CompiledSources, loaded: LoadedFile) -> None:
    base_ids: dict[int, str] = {}
    label = loaded.path.name if loaded.path else "rule"
    for rule in loaded.rules:
        try:
            spec = frontend.rule_spec(rule, f"{label}#{len(out.rules)}", loaded.path)
        except (RuleCompileError, SigmaError) as exc:
            out.errors.append(_error(loaded.path, rule, str(exc)))
            continue
        out.rules.append(spec)
        base_ids[id(rule)] = spec["id"]
    for correlation in loaded.correlations:
        meta = frontend.metadata(correlation, f"{label}#c{len(out.correlations)}")
        try:
            spec_c = frontend.correlation_spec(correlation, len(out.correlations), base_ids, meta)
        except (RuleCompileError, SigmaError) as exc:
            out.errors.append(_error(loaded.path, correlation, str(exc)))
            continue
        out.correlations.append(spec_c)


def compile_sources(
    paths: Sequence[Path | str],
    variables: Mapping[str, list[str]] | None = None,
    pipelines: Sequence[str] = (),
) -> CompiledSources:
    """Every rule file under ``paths`` through pySigma (and the pipelines) into IR specs."""
    pipeline = _pipeline(variables, pipelines)
    out = CompiledSources()
    for path in rule_files([Path(p) for p in paths]):
        loaded, errors = load_file(path, pipeline)
        out.errors.extend(errors)
        if loaded is not None:
            _add(out, loaded)
    return out


def compile_text(
    text: str, variables: Mapping[str, list[str]] | None = None, pipelines: Sequence[str] = ()
) -> CompiledSources:
    out = CompiledSources()
    loaded, errors = load_text(text, None, _pipeline(variables, pipelines))
    out.errors.extend(errors)
    if loaded is not None:
        _add(out, loaded)
    return out

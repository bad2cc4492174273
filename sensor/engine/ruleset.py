"""Getting an engine for a rule set: from a compiled bundle when it matches the YAML, else by
compiling the YAML (pySigma), which also yields the bundle.

The sensor and ``rules match`` call ``load_rules``; only the second path imports pySigma and YAML.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sensor.engine.bundle import SHIPPED, BundleError, RuleBundle
from sensor.engine.engine import Engine
from sensor.engine.sources import source_hash

log = logging.getLogger(__name__)


@dataclass
class LoadedRules:
    engine: Engine
    bundle: RuleBundle  # the compiled form of the rule set
    bundle_file: Path | None  # the bundle file used, or None when compiled from YAML now


def compile_bundle(
    paths: Sequence[Path],
    variables: Mapping[str, list[str]] | None = None,
    pipelines: Sequence[str] = (),
) -> RuleBundle:
    """Compile the YAML under ``paths`` (pySigma) into a bundle."""
    from sensor.engine.loader import compile_sources  # noqa: PLC0415 - pySigma only when compiling

    sources = compile_sources(paths, variables, pipelines)
    return RuleBundle(source_hash(paths, variables, pipelines), sources.rules, sources.correlations, sources.errors)


def _matching_bundle(candidates: Sequence[Path], wanted: str) -> tuple[RuleBundle, Path] | None:
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            bundle = RuleBundle.read(candidate)
        except BundleError as exc:
            log.warning("rule bundle %s not used: %s", candidate, exc)
            continue
        if bundle.source_hash == wanted:
            return bundle, candidate
        log.info("rule bundle %s is not for these rules (they changed since it was built)", candidate)
    return None


def load_rules(
    paths: Sequence[Path],
    *,
    variables: Mapping[str, list[str]] | None = None,
    pipelines: Sequence[str] = (),
    bundles: Sequence[Path] = (SHIPPED,),
    prefilter: bool = True,
) -> LoadedRules:
    """The first of ``bundles`` compiled from exactly these rules (same hash), else compile them."""
    wanted = source_hash(paths, variables, pipelines)
    found = _matching_bundle(bundles, wanted)
    if found is not None:
        bundle, used = found
        return LoadedRules(Engine.from_bundle(bundle, prefilter=prefilter), bundle, used)
    bundle = compile_bundle(paths, variables, pipelines)
    return LoadedRules(Engine.from_bundle(bundle, prefilter=prefilter), bundle, None)

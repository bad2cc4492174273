"""Rule files on disk: which files are rules, and one hash over all of them (no YAML parsing).

Files are walked without following symlinks out of the given directories; ``*.tests.yml`` files
are not rules. The hash (``source_hash``) covers every rule file's path relative to the root it was
found under and its bytes, plus whatever else decides the compiled form (variables, pipelines, the
IR format, the pySigma version), so a compiled bundle (bundle.py) can be checked against the YAML
without parsing it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path

from sensor.engine.ir import FORMAT

MAX_RULE_FILE_BYTES = 1 << 20
RULE_SUFFIXES = (".yml", ".yaml")
TESTS_SUFFIX = ".tests.yml"


def _is_rule_name(name: str) -> bool:
    return name.endswith(RULE_SUFFIXES) and not name.endswith(TESTS_SUFFIX)


def rule_files_with_roots(paths: Sequence[Path]) -> Iterator[tuple[Path, Path]]:
    """(rule file, the given path it was found under); files as given, directories walked."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if _is_rule_name(name) and not candidate.is_symlink():
                        yield candidate, path
        else:
            yield path, path.parent


def rule_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Rule files under ``paths`` (files as given; directories walked without following symlinks)."""
    for found, _root in rule_files_with_roots(paths):
        yield found


def pysigma_version() -> str:
    return _installed("pysigma")


PIPELINE_DISTRIBUTIONS = ("pysigma-pipeline-sysmon", "pysigma-pipeline-windows", "pysigma-backend-elasticsearch")


def _installed(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def pipeline_fingerprints(specs: Sequence[str]) -> list[str]:
    """What identifies each ``--pipeline``: a file's digest, or a name plus the installed pipeline
    packages' versions (read from their metadata: nothing is imported)."""
    out: list[str] = []
    for spec in specs:
        path = Path(spec)
        if path.is_file():
            out.append("file:" + hashlib.sha256(path.read_bytes()).hexdigest())
        else:
            out.append(spec + "@" + ",".join(f"{d}={_installed(d)}" for d in PIPELINE_DISTRIBUTIONS))
    return out


def source_hash(
    paths: Sequence[Path],
    variables: Mapping[str, list[str]] | None = None,
    pipelines: Sequence[str] = (),
) -> str:
    """sha256 over the rule files (relative path + bytes) and the compile inputs."""
    digest = hashlib.sha256()
    header = {
        "format": FORMAT,
        "pysigma": pysigma_version(),
        "variables": {k: list(v) for k, v in sorted((variables or {}).items())},
        "pipelines": pipeline_fingerprints(pipelines),
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    for path, root in rule_files_with_roots([Path(p) for p in paths]):
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            relative = path.name
        try:
            data = path.read_bytes()[: MAX_RULE_FILE_BYTES + 1]
        except OSError as exc:
            data = f"unreadable: {exc.strerror}".encode()
        digest.update(b"\x00file\x00" + relative.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()

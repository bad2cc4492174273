"""The README stays true: its rules table is generated from detections/, and .ci/run runs its test command."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _gen_rules_table():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_rules_table", REPO / "scripts" / "gen_rules_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_readme_rules_table_is_current() -> None:
    gen = _gen_rules_table()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    current = gen.render(gen.rows(REPO / "detections"), link_prefix="detections/")
    assert gen.table_in(readme) == current, (
        "README.md is stale: .venv/bin/python scripts/gen_rules_table.py --link-prefix detections/ --write README.md"
    )


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make run" in readme
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == "make test"

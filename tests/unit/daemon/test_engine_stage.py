"""The daemon's rule stage starts from the compiled bundle: no pySigma, no YAML in the process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_daemon_rule_stage_loads_the_pack_from_its_bundle_without_pysigma() -> None:
    code = (
        "import sys\nfrom sensor.daemon.config import SensorConfig\n"
        "from sensor.daemon.engine_stage import load_engine\n"
        "stage, errors = load_engine(SensorConfig().rule_paths())\n"
        "assert errors == [] and len(stage.rules) > 50, (errors, stage)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sigma', 'yaml', 'pyparsing')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stdout


def test_changed_rules_are_compiled_from_yaml(tmp_path: Path) -> None:
    from sensor.daemon.engine_stage import load_engine

    rule = tmp_path / "r.yml"
    rule.write_text(
        "title: t\nid: 0a1b2c3d-0000-4000-8000-0000000000aa\nlogsource: {product: linux}\n"
        "detection:\n  sel: {Image|endswith: /nc}\n  condition: sel\n"
    )
    stage, errors = load_engine([rule])
    assert errors == []
    assert [a.rule_id for a in stage.process({"product": "linux", "Image": "/usr/bin/nc"})] == [
        "0a1b2c3d-0000-4000-8000-0000000000aa"
    ]

"""sigma-cli (pySigma 1.x, .venv-sigmacli) converts our rules for SIEMs with pipelines/clawwatch.yml."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sensor.engine.sources import rule_files

REPO = Path(__file__).resolve().parents[3]
SIGMA = REPO / ".venv-sigmacli/bin/sigma"
PIPELINE = REPO / "pipelines/clawwatch.yml"

LISTENER_RULE = """title: Gateway port listening on all interfaces
id: 0b5e1f9e-3c1a-4d8e-9a55-6f1d2b7c8e90
status: test
level: high
logsource:
    category: listening_socket
    product: linux
detection:
    sel:
        LocalPort: 18789
        LocalIp: '0.0.0.0'
        ListenState: opened
    condition: sel
"""


@pytest.fixture(scope="module")
def sigma() -> Path:
    if not SIGMA.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SIGMA} missing: scripts/setup.sh builds .venv-sigmacli")
        pytest.skip(f"{SIGMA} missing (built by scripts/setup.sh)")
    return SIGMA


def convert(sigma: Path, target: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(sigma), "convert", "-t", target, "-p", str(PIPELINE), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("splunk", ['category="listening_socket"', 'product="linux"', "LocalPort=18789", 'LocalIp="0.0.0.0"']),
        ("lucene", ["category:listening_socket", "product:linux", "LocalPort:18789", "LocalIp:0.0.0.0"]),
    ],
)
def test_pipeline_turns_logsource_into_field_conditions(
    sigma: Path, tmp_path: Path, target: str, expected: list[str]
) -> None:
    rule = tmp_path / "listener.yml"
    rule.write_text(LISTENER_RULE)
    result = convert(sigma, target, [rule])
    assert result.returncode == 0, result.stderr
    for piece in expected:
        assert piece in result.stdout, (piece, result.stdout)


def test_the_pack_folder_converts_for_splunk_as_it_is(sigma: Path) -> None:
    """Issue 18, acceptance 4: sigma-cli reads detections/ unchanged (no tests or pipelines in it)."""
    files = list(rule_files([REPO / "detections"]))
    assert files
    result = convert(sigma, "splunk", [REPO / "detections"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert len([q for q in result.stdout.split("\n") if q.strip()]) >= len(files)

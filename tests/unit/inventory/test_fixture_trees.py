"""Acceptance 1 + 3 on the fixture trees in tests/fixtures/openclaw/ (made with the real package by
make_fixtures.py, or by hand where no installable build exists; each has expected.json + secrets.txt).

The scan must report exactly the expected grants (explicit ones, plus only the documented defaults
shell/filesystem/browser), credentials (kind + file + key path), exposure and persistence, and print no
planted secret in any format.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from sensor.cli.main import main
from sensor.inventory.scanner import scan_host
from sensor.schema.inventory import Install

# CLAWWATCH_FIXTURES_DIR: check freshly regenerated trees (make_fixtures.py --out DIR) before committing them
FIXTURES = Path(os.environ.get("CLAWWATCH_FIXTURES_DIR") or Path(__file__).resolve().parents[2] / "fixtures/openclaw")
TREES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))
DEFAULT_GRANTS = {"shell", "filesystem", "browser"}  # granted by OpenClaw's defaults (sandbox off, browser on)
SALT = b"fixture-salt-0123456789abcdef!!!"


def _secrets(tree: Path) -> dict[str, str]:
    out = {}
    for line in (tree / "secrets.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("\t")
            out[name] = value
    return out


@pytest.fixture
def tree_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A private copy: the scan must work on the tree wherever it lies, and tests never share state."""
    src = FIXTURES / request.param
    dst = tmp_path / request.param
    shutil.copytree(src, dst, symlinks=True)
    return dst


def _install(tree: Path, expected: dict[str, Any]) -> Install:
    report = scan_host([tree / "home"], include_processes=False, system_wide=False, salt=SALT)
    state_dir = str(tree / "home" / expected["state_dir"])
    matches = [i for i in report.installs if i.state_dir == state_dir]
    assert len(matches) == 1, [i.state_dir for i in report.installs]
    return matches[0]


def _rel(tree: Path, path: str) -> str:
    return str(Path(path.split("#", 1)[0]).relative_to(tree / "home"))


@pytest.mark.skipif(not TREES, reason="no fixture trees in tests/fixtures/openclaw")
@pytest.mark.parametrize("tree_copy", TREES, indirect=True)
def test_fixture_tree_inventory(tree_copy: Path) -> None:
    expected = json.loads((tree_copy / "expected.json").read_text())
    inst = _install(tree_copy, expected)
    assert inst.product == expected["product"]
    if expected.get("layout"):
        assert inst.layout == expected["layout"]
    if expected.get("config_path"):
        assert inst.config_path == str(tree_copy / "home" / expected["config_path"])
    if expected.get("version"):
        assert inst.version == expected["version"]
    gateway = expected.get("gateway", {})
    if "exposed" in gateway:
        assert inst.exposed is gateway["exposed"]
    if "bind" in gateway:
        assert inst.exposure["bind_mode"] == gateway["bind"]
    if "auth_mode" in gateway:
        assert str(inst.exposure["auth_mode"]).startswith(gateway["auth_mode"])
    explicit = set(expected.get("grants_explicit", {}))
    assert explicit <= set(inst.grants), f"missing grants {explicit - set(inst.grants)}"
    assert set(inst.grants) - explicit <= DEFAULT_GRANTS, f"extra grants {set(inst.grants) - explicit}"
    for policy in expected.get("open_policies", []):
        key = policy.split("=", 1)[0]
        risks = [r for ev in inst.grant_evidence for r in ev.risk]
        assert any(r.startswith(key) for r in risks), policy

    got = [(c.kind, _rel(tree_copy, c.path), c.location) for c in inst.credentials]
    for cred in expected.get("credentials", []):
        location = cred.get("location", "").removeprefix("Environment=")
        assert any(k == cred["kind"] and p == cred["path"] and loc.startswith(location) for k, p, loc in got), (
            f"expected credential not reported: {cred}; got {got}"
        )
    expected_pairs = {(c["kind"], c["path"]) for c in expected.get("credentials", [])}
    extra = {(k, p) for k, p, _ in got} - expected_pairs
    assert not extra, f"credentials not in expected.json: {extra}"
    # every planted secret inside the state dir is reported (transcripts/logs are not credential stores;
    # canary files elsewhere in the home, like ~/.ssh keys, are the live sensor's business)
    found_files = {p for _, p, _ in got}
    transcripts = ("sessions/", "transcript", ".jsonl", "logs/", "workspace/")
    for name, files in expected.get("secret_locations", {}).items():
        for file in files:
            if file.startswith(expected["state_dir"] + "/") and not any(t in file for t in transcripts):
                assert file in found_files, f"secret {name} in {file} not reported"

    persistence = {(p.mechanism, p.name, p.role, p.scope) for p in inst.persistence}
    for entry in expected.get("persistence", []):
        assert (entry["mechanism"], entry["name"], entry["role"], entry["scope"]) in persistence


@pytest.mark.skipif(not TREES, reason="no fixture trees in tests/fixtures/openclaw")
@pytest.mark.parametrize("tree_copy", TREES, indirect=True)
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_fixture_tree_canaries(tree_copy: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    secrets = _secrets(tree_copy)
    assert secrets
    salt = tree_copy.parent / "salt"
    salt.write_bytes(SALT)
    main(["scan", "--no-processes", "--home", str(tree_copy / "home"), "--format", fmt, "--salt-file", str(salt)])
    out = capsys.readouterr().out
    assert "hmac-sha256:" in out
    leaked = [name for name, value in secrets.items() if value in out]
    assert not leaked, f"planted secrets in {fmt} output: {leaked}"

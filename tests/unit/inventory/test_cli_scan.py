"""`clawwatch scan`: JSON document shape, exit codes, and the canary check on every output format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sensor.cli.main import main
from tests.unit.inventory import trees


@pytest.fixture
def salt_file(tmp_path: Path) -> Path:
    path = tmp_path / "salt"
    path.write_bytes(b"cli-test-salt-0123456789abcdef!!")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", "--no-processes", *args])
    return code, capsys.readouterr().out


def test_json_document_shape(tmp_path: Path, salt_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "alice")
    code, out = _run(capsys, "--home", str(tree.home), "--format", "json", "--salt-file", str(salt_file))
    doc = json.loads(out)
    assert {"host", "installs", "findings"} <= set(doc)
    inst = doc["installs"][0]
    for key in (
        "product",
        "variant",
        "state_dir",
        "config_path",
        "owner",
        "version",
        "running",
        "pids",
        "listeners",
        "exposed",
        "grants",
        "grant_evidence",
        "credentials",
        "persistence",
        "findings",
    ):
        assert key in inst, key
    assert {"kind", "path", "fingerprint"} <= set(inst["credentials"][0])
    assert code == 1  # critical findings at the default --fail-on high


def test_exit_codes(tmp_path: Path, salt_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert _run(capsys, "--home", str(tmp_path / "empty"), "--salt-file", str(salt_file))[0] == 0
    tree = trees.openclaw_2026_9(tmp_path / "bob", bind="loopback")
    base = ["--home", str(tree.home), "--salt-file", str(salt_file)]
    assert _run(capsys, *base, "--fail-on", "critical")[0] == 1  # wildcard origins / exec mode full
    loop = tmp_path / "quiet/.openclaw"
    loop.mkdir(parents=True)
    (loop / "openclaw.json").write_text(
        "{gateway: {bind: 'loopback'}, tools: {profile: 'minimal'}, browser: {enabled: false}}"
    )
    quiet = ["--home", str(tmp_path / "quiet"), "--salt-file", str(salt_file)]
    assert _run(capsys, *quiet, "--fail-on", "high")[0] == 0
    assert _run(capsys, *quiet, "--fail-on", "info")[0] == 1
    with pytest.raises(SystemExit) as err:
        main(["scan", "--fail-on", "bogus"])
    assert err.value.code == 2
    assert main(["scan", "--home", str(tmp_path / "missing")]) == 2


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_canary_secrets_never_in_output(
    tmp_path: Path, salt_file: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    planted: dict[str, str] = {}
    for maker, name in (
        (trees.openclaw_2026_9, "a"),
        (trees.openclaw_2026_2, "b"),
        (trees.clawdbot_legacy, "c"),
    ):
        tree = maker(tmp_path / name)
        planted.update({f"{name}:{k}": v for k, v in tree.secrets.items()})
    args = [a for n in "abc" for a in ("--home", str(tmp_path / n))]
    _, out = _run(capsys, *args, "--format", fmt, "--salt-file", str(salt_file))
    assert out.count("hmac-sha256:") >= 12
    leaked = {name for name, value in planted.items() if value in out}
    assert not leaked
    assert "CANARY" not in out


def test_relative_home_argument(
    tmp_path: Path, salt_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = trees.openclaw_2026_9(tmp_path / "rel")
    monkeypatch.chdir(tmp_path)
    _, out = _run(capsys, "--home", "rel", "--format", "json", "--salt-file", str(salt_file))
    inst = json.loads(out)["installs"][0]
    assert inst["state_dir"] == str(tree.state_dir)
    assert inst["config_path"] == str(tree.state_dir / "openclaw.json")
    assert inst["exposure"]["bind_mode"] == "lan" and not json.loads(out)["warnings"]

"""`clawwatch collector serve --forwarders FILE`: a real collector process started with the flag (and no
CLAWWATCH_FORWARDERS) forwards new alerts to a real loopback Splunk HEC receiver; a missing, non-JSON or
invalid file stops the start with exit status 2 and one paragraph naming the file and the problem, before
the database is touched or the socket bound, and no secret planted in the file reaches stderr."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.collector.processes import CLAWWATCH, Collector, _env
from tests.integration.fleet.conftest import FleetEnv
from tests.integration.fleet.inventories import alert
from tests.support.siem_receivers import HecReceiver

HEC_TOKEN = "hec-flag-token-" + secrets.token_hex(8)
PLANTED = "planted-hec-token-" + secrets.token_hex(8)  # a secret wrongly written into the file


def _hec_item(port: int, **extra: Any) -> dict[str, Any]:
    return {"type": "hec", "name": "splunk", "url": f"http://127.0.0.1:{port}", "token_env": "TEST_FLAG_HEC_TOKEN",
            "document": "ecs", **extra}


@pytest.fixture
def hec() -> Iterator[HecReceiver]:
    receiver = HecReceiver(HEC_TOKEN).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAWWATCH_FORWARDERS", raising=False)
    monkeypatch.setenv("TEST_FLAG_HEC_TOKEN", HEC_TOKEN)


def test_flag_alone_forwards_new_alerts_to_hec(tmp_path: Path, hec: HecReceiver, clean_env: None) -> None:
    config = {"queue_dir": str(tmp_path / "forward"), "min_level": "medium", "forwarders": [_hec_item(hec.port)]}
    path = tmp_path / "forwarders.json"
    path.write_text(json.dumps(config))
    admin = "cw_admin_" + secrets.token_hex(16)
    db_url = f"sqlite:///{tmp_path / 'collector.db'}"
    collector = Collector(db_url=db_url, workdir=tmp_path, admin_token=admin, extra=["--forwarders", str(path)])
    try:
        collector.start(timeout=120)
        resp = collector.api("POST", "/api/v1/admin/tokens", admin, json={"role": "analyst", "label": "soc"})
        resp.raise_for_status()
        env = FleetEnv(collector, db_url, admin, resp.json()["token"])
        host = env.enroll("flag-host")
        env.ship(host, "alert", alert("flag-host", 1, level="low"), 1)  # below min_level: not forwarded
        env.ship(host, "alert", alert("flag-host", 2, level="high"), 3)
        env.ship(host, "alert", alert("flag-host", 3, level="critical"), 4)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(hec.events) < 2:
            time.sleep(0.2)
        time.sleep(1.0)  # anything extra would arrive now
        assert sorted(e["event"]["event"]["id"] for e in hec.events) == ["alert-flag-host-2", "alert-flag-host-3"]
        assert all(e["host"] == "flag-host" and e["sourcetype"] == "clawwatch:alert:ecs" for e in hec.events)
        assert (tmp_path / "forward" / "splunk.db").is_file()
    finally:
        collector.kill()
    log = (tmp_path / "collector-1.log").read_text()
    assert "forwarding alerts of level medium and above to splunk" in log
    assert HEC_TOKEN not in log


def _serve(tmp_path: Path, *args: str, env_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = _env()
    env.pop("CLAWWATCH_FORWARDERS", None)
    env["HOME"] = str(tmp_path / "home")
    env["TEST_FLAG_HEC_TOKEN"] = HEC_TOKEN
    if env_file is not None:
        env["CLAWWATCH_FORWARDERS"] = str(env_file)
    argv = [str(CLAWWATCH), "collector", "serve", "--db", f"sqlite:///{tmp_path / 'collector.db'}",
            "--listen", "127.0.0.1:0", "--enroll-secret", "test-enroll-secret-0123456789", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)


def _broken_files(tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    """case -> (file, what the message must say)."""
    queue = str(tmp_path / "forward")
    files: dict[str, tuple[Path, list[str]]] = {}

    missing = tmp_path / "does-not-exist.json"
    files["missing"] = (missing, ["cannot read forwarder config", "No such file or directory"])

    bad_json = tmp_path / "bad-json.json"  # the secret sits right where the parser gives up
    text = json.dumps({"queue_dir": queue, "forwarders": [{"type": "hec", "token": PLANTED, "name": "x"}]})
    bad_json.write_text(text.replace(f'"{PLANTED}", ', f'"{PLANTED}" '))  # a comma missing after the token
    files["bad JSON"] = (bad_json, ["is not valid JSON", "line 1 column"])

    wrong_type = tmp_path / "wrong-type.json"
    wrong_type.write_text(json.dumps({"queue_dir": queue, "forwarders": [
        _hec_item(8088, token=PLANTED),
        {"type": "syslog", "name": "qradar", "host": "127.0.0.1", "port": PLANTED},
        {"type": "webhook", "name": "soar", "url": "http://127.0.0.1:9", "headers_env": {"Authorization": PLANTED}},
    ]}))
    files["wrong type"] = (wrong_type, ["is invalid", "forwarders[0].token: Extra inputs are not permitted",
                                        "forwarders[1].port: Input should be a valid integer",
                                        "forwarders[2].headers_env.Authorization: not an environment variable name"])

    secret_in_token_env = tmp_path / "token-in-token-env.json"
    secret_in_token_env.write_text(json.dumps({"queue_dir": queue, "forwarders": [
        {**_hec_item(8088), "token_env": PLANTED}]}))
    files["token value as token_env"] = (secret_in_token_env, ["forwarders[0].token_env: not an environment"])

    unset_variable = tmp_path / "unset-variable.json"
    unset_variable.write_text(json.dumps({"queue_dir": queue, "forwarders": [
        {**_hec_item(8088), "token_env": "CLAWWATCH_TEST_UNSET_VARIABLE"}]}))
    files["unset variable"] = (unset_variable, ["forwarders[0].token_env: environment variable "
                                                "CLAWWATCH_TEST_UNSET_VARIABLE is not set"])

    duplicate = tmp_path / "duplicate-names.json"  # two forwarders sharing one queue file
    duplicate.write_text(json.dumps({"queue_dir": queue, "forwarders": [_hec_item(8088), _hec_item(8089)]}))
    files["duplicate names"] = (duplicate, ["forwarder names must be unique (splunk)"])
    return files


def _assert_refused(result: subprocess.CompletedProcess[str], path: Path, expected: list[str], tmp_path: Path) -> None:
    stderr = result.stderr
    assert result.returncode == 2, (result.returncode, stderr)
    assert str(path) in stderr
    for phrase in expected:
        assert phrase in stderr, (phrase, stderr)
    assert "Traceback" not in stderr and PLANTED not in stderr and HEC_TOKEN not in stderr, stderr
    assert PLANTED not in result.stdout
    assert len(stderr.strip().splitlines()) == 1, stderr  # one paragraph
    assert "listening on" not in stderr
    assert not (tmp_path / "collector.db").exists()  # refused before the database and the socket
    assert not (tmp_path / "forward").exists()


@pytest.mark.parametrize("case", ["missing", "bad JSON", "wrong type", "token value as token_env",
                                  "unset variable", "duplicate names"])
def test_broken_file_exits_2_with_clear_message(tmp_path: Path, case: str) -> None:
    path, expected = _broken_files(tmp_path)[case]
    result = _serve(tmp_path, "--forwarders", str(path))
    _assert_refused(result, path, expected, tmp_path)
    assert "leave out --forwarders" in result.stderr


def test_broken_file_from_env_default_is_refused_the_same_way(tmp_path: Path) -> None:
    path, expected = _broken_files(tmp_path)["wrong type"]
    result = _serve(tmp_path, env_file=path)
    _assert_refused(result, path, expected, tmp_path)
    assert "unset CLAWWATCH_FORWARDERS" in result.stderr

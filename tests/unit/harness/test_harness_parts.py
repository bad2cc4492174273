"""Parts of the real-OpenClaw harness that run without OpenClaw: mock model, redaction, ports, patch."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.support.mockllm import __file__ as MOCKLLM
from tests.support.openclaw_host import Grants, _grants_patch, _make_secrets
from tests.support.ports import free_port_block
from tests.support.proc_snapshot import redacted_env, snapshot

EXEC_TOOL = {"type": "function", "function": {"name": "exec", "parameters": {}}}


@pytest.fixture
def mock_model(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port_block(1)
    command_file = tmp_path / "cmd.txt"
    command_file.write_text("echo first")
    proc = subprocess.Popen([sys.executable, MOCKLLM, "--port", str(port), "--command-file", str(command_file),
                             "--log", str(tmp_path / "log.jsonl")])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port, command_file
    finally:
        proc.terminate()
        proc.wait(10)


def _post(port: int, body: dict[str, object]) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with opener.open(req, timeout=10) as resp:
        return bytes(resp.read())


def test_mock_model_calls_exec_once_then_answers(mock_model: tuple[int, Path]) -> None:
    port, command_file = mock_model
    first = json.loads(_post(port, {"messages": [{"role": "user", "content": "hi"}], "tools": [EXEC_TOOL]}))
    call = first["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "exec"
    assert json.loads(call["function"]["arguments"]) == {"command": "echo first"}
    command_file.write_text("echo second")
    again = json.loads(_post(port, {"messages": [{"role": "user", "content": "x"}], "tools": [EXEC_TOOL]}))
    assert "echo second" in again["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    done = json.loads(_post(port, {"messages": [{"role": "tool", "content": "ok"}], "tools": [EXEC_TOOL]}))
    assert done["choices"][0]["message"]["content"] == "mock: done"
    assert json.loads(_post(port, {"messages": []}))["choices"][0]["finish_reason"] == "stop"


def test_mock_model_streams_tool_call_with_index(mock_model: tuple[int, Path]) -> None:
    port, _ = mock_model
    raw = _post(port, {"stream": True, "messages": [], "tools": [EXEC_TOOL]}).decode()
    chunks = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")]
    delta = chunks[0]["choices"][0]["delta"]
    assert delta["tool_calls"][0]["index"] == 0
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert raw.rstrip().endswith("data: [DONE]")


def test_redacted_env_keeps_markers_and_hides_secrets() -> None:
    env = {"OPENCLAW_SHELL": "exec", "OPENCLAW_GATEWAY_TOKEN": "FAKE-x", "HOME": "/h", "SLACK_BOT_TOKEN": "xoxb-1"}
    assert redacted_env(env) == {"HOME": "<set>", "OPENCLAW_GATEWAY_TOKEN": "<redacted>",
                                 "OPENCLAW_SHELL": "exec", "SLACK_BOT_TOKEN": "<redacted>"}


def test_snapshot_reads_raw_proc_views_and_scrubs_argv() -> None:
    argv = ["/bin/sh", "-c", "sleep 30; true", "FAKE-argv-secret"]  # $0 of the script, unused
    proc = subprocess.Popen(argv)
    try:
        target = psutil.Process(proc.pid)
        deadline = time.monotonic() + 10
        while target.cmdline() != argv and time.monotonic() < deadline:  # until exec done
            time.sleep(0.01)
        snap = snapshot(target, redact=("FAKE-argv-secret",))
    finally:
        proc.terminate()
        proc.wait()
    assert snap["comm_raw"] == "sh"
    assert snap["cmdline"] == ["/bin/sh", "-c", "sleep 30; true", "<redacted>"]
    assert snap["cmdline_raw"] == "/bin/sh\x00-c\x00sleep 30; true\x00FAKE-argv-secret\x00"


def test_free_port_block_is_bindable_and_not_the_default_gateway_port() -> None:
    port = free_port_block(4)
    assert not port <= 18789 <= port + 3
    for offset in range(4):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port + offset))


def test_grants_patch_uses_legacy_exec_keys_for_2026_2() -> None:
    secrets = _make_secrets("ab" * 16)
    new = _grants_patch(Grants.risky(), "lan", secrets, 1234, False)
    old = _grants_patch(Grants.risky(), "lan", secrets, None, False, legacy_exec=True)
    assert new["tools"]["exec"] == {"host": "gateway", "mode": "full"}
    assert old["tools"]["exec"] == {"host": "gateway", "security": "full", "ask": "off"}
    assert new["gateway"]["bind"] == "lan"
    assert new["models"]["providers"]["mock"]["baseUrl"] == "http://127.0.0.1:1234/v1"
    assert "models" not in old
    assert all("FAKE" in value for value in secrets.values())


def test_slack_is_left_out_when_the_plugin_is_not_installed() -> None:
    secrets = _make_secrets("cd" * 16)
    assert "slack" not in _grants_patch(Grants(slack=True), "loopback", secrets, None, False).get("channels", {})
    with_plugin = _grants_patch(Grants(slack=True, elevated_wildcard=True), "loopback", secrets, None, True)
    assert with_plugin["channels"]["slack"]["botToken"].startswith("xoxb-")
    assert with_plugin["tools"]["elevated"]["allowFrom"] == {"slack": ["*"]}

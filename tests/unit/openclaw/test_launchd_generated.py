"""LaunchAgent plists written by OpenClaw's own launchd code (tests/fixtures/openclaw/launchd/RECIPE.md)
are read right: persistence entry, state dir, effective command, secrets as kinds only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sensor.openclaw import locations
from sensor.openclaw.persistence import read_definition, unwrap_env_wrapper

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openclaw" / "launchd"
VERSIONS = ["v2026.9.6", "v2026.2.26"]


def meta(version: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((FIXTURES / version / "meta.json").read_text())
    return data


def plist_of(version: str) -> Path:
    home = FIXTURES / version / "Users" / "alice"
    [path] = locations.service_definition_paths(home, locations.MACOS)
    return path


@pytest.mark.parametrize("version", VERSIONS)
def test_generated_plist_is_a_user_gateway_launch_agent_with_its_state_dir(version: str) -> None:
    definition = read_definition(plist_of(version), "user")
    assert not isinstance(definition, Exception)
    p = definition.persistence
    assert (p.mechanism, p.name, p.role, p.scope) == ("launchd", "ai.openclaw.gateway", "gateway", "user")
    assert definition.product_profile == ("openclaw", None)
    assert definition.state_dirs == [meta(version)["home"] + "/.openclaw"]
    assert p.exec_start is not None
    command = p.exec_start.split()
    assert command[0].endswith("/bin/node") and command[-3:] == ["gateway", "--port", "18789"]
    assert command[-4].endswith("/node_modules/openclaw/dist/index.js")


def test_2026_9_env_wrapper_is_unwrapped_like_openclaw_reads_it_back() -> None:
    import plistlib

    args = plistlib.loads(plist_of("v2026.9.6").read_bytes())["ProgramArguments"]
    assert args[0] == "/bin/sh" and args[1].endswith("/service-env/ai.openclaw.gateway-env-wrapper.sh")
    assert unwrap_env_wrapper(args) == args[3:]
    assert unwrap_env_wrapper(args[1:]) == args[3:]
    assert unwrap_env_wrapper(["/bin/sh", "-c", "x"]) == ["/bin/sh", "-c", "x"]


def test_2026_9_service_env_file_is_found_in_the_state_dir_and_the_plist_holds_no_secret() -> None:
    version = "v2026.9.6"
    state = FIXTURES / version / "Users" / "alice" / ".openclaw"
    assert [p.name for p in locations.state_dir_service_files(state)] == ["ai.openclaw.gateway.env"]
    definition = read_definition(plist_of(version), "user")
    assert not isinstance(definition, Exception) and definition.secrets == []
    assert meta(version)["modes"]["Users/alice/.openclaw/service-env/ai.openclaw.gateway.env"] == "0o600"


def test_2026_2_inline_gateway_token_is_a_secret_kind_and_never_in_the_persistence_entry() -> None:
    version = "v2026.2.26"
    token = meta(version)["token"]
    assert token in plist_of(version).read_text()  # OpenClaw 2026.2 put it in the world-readable plist
    definition = read_definition(plist_of(version), "user")
    assert not isinstance(definition, Exception)
    assert [s.kind for s in definition.secrets] == ["gateway_token"]
    assert token not in definition.persistence.model_dump_json()
    assert definition.version_text == "OpenClaw Gateway (v2026.2.26)"

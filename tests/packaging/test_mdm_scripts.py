"""MDM scripts built on `clawwatch scan --fail-on` exit codes. The Jamf extension attribute is POSIX sh
and runs here against the single-file binary; the Intune script is PowerShell, which CI cannot run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, clean_env, legacy_clawdbot_home, require_tool, run

EA = PACKAGING / "mdm" / "jamf-extension-attribute.sh"


def extension_attribute(binary: Path, home: Path, salt: Path) -> str:
    env = clean_env(CLAWWATCH_BIN=str(binary), HOME=str(home), PATH="/usr/bin:/bin",
                    CLAWWATCH_SCAN_ARGS=f"--home {home} --no-processes --salt-file {salt}")
    done = run(["/bin/sh", str(EA)], env=env, timeout=300)
    return done.stdout.strip()


def test_extension_attribute_passes_shellcheck() -> None:
    run([require_tool("shellcheck"), "--shell=sh", "--severity=style", str(EA)])


@pytest.mark.parametrize(("fixture", "want"), [("legacy", "<result>high risk</result>"),
                                                ("config-only", "<result>present</result>"),
                                                ("empty", "<result>none</result>")])
def test_extension_attribute_reports_from_scan_exit_codes(built_binary: Path, tmp_path: Path, fixture: str,
                                                          want: str) -> None:
    home = tmp_path / "home"
    if fixture == "legacy":
        legacy_clawdbot_home(home)
    elif fixture == "config-only":  # a locked-down install: loopback, token auth, private dirs
        state = home / ".openclaw"
        state.mkdir(parents=True, mode=0o700)
        state.chmod(0o700)
        config = state / "openclaw.json"
        config.write_text('{ gateway: { bind: "loopback", auth: { mode: "token" } },'
                          ' agents: { defaults: { sandbox: { mode: "all" } } },'
                          ' tools: { exec: { mode: "allowlist" } }, browser: { enabled: false } }')
        config.chmod(0o600)
    else:
        home.mkdir()
    assert extension_attribute(built_binary, home, tmp_path / "salt") == want


def test_extension_attribute_without_clawwatch(tmp_path: Path) -> None:
    done = run(["/bin/sh", str(EA)], env=clean_env(CLAWWATCH_BIN=str(tmp_path / "absent")))
    assert done.stdout.strip() == "<result>clawwatch missing</result>"

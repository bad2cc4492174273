"""The shared shell scripts pass shellcheck, and the platforms that take enrollment values from the
environment agree on the variable names. The macOS pkg has its own file (test_macos_packaging.py), as
has the Windows MSI."""

from __future__ import annotations

import re

from tests.packaging.conftest import PACKAGING, REPO, require_tool, run

WINDOWS = PACKAGING / "windows"
ENROLL_VARS = {"CLAWWATCH_COLLECTOR", "CLAWWATCH_ENROLL_SECRET", "CLAWWATCH_CA_BUNDLE"}
SH_SCRIPTS = [PACKAGING / "linux" / "clawwatch-launch", PACKAGING / "deb" / "postinst",
              PACKAGING / "deb" / "prerm", PACKAGING / "deb" / "postrm"]
BASH_SCRIPTS = [PACKAGING / "binary" / "build.sh", PACKAGING / "deb" / "build-deb.sh",
                REPO / "scripts" / "install-packaging-tools.sh"]


def test_shell_scripts_pass_shellcheck_and_are_executable() -> None:
    shellcheck = require_tool("shellcheck")
    for script in SH_SCRIPTS + BASH_SCRIPTS:
        assert script.stat().st_mode & 0o111, f"{script} must be executable"
    run([shellcheck, "--shell=sh", "--severity=style", *map(str, SH_SCRIPTS)])
    run([shellcheck, "--shell=bash", "--severity=style", *map(str, BASH_SCRIPTS)])


def test_every_platform_uses_the_same_enrollment_variables() -> None:
    pattern = re.compile(r"CLAWWATCH_[A-Z_]+")
    files = [PACKAGING / "linux" / "enroll.env", PACKAGING / "deb" / "postinst",
             PACKAGING / "linux" / "clawwatch-launch", WINDOWS / "install.ps1"]
    for path in files:
        found = set(pattern.findall(path.read_text()))
        assert ENROLL_VARS <= found, f"{path} lacks {ENROLL_VARS - found}"
    assert "EnvironmentFile=-/etc/clawwatch/enroll.env" in (PACKAGING / "linux" / "clawwatch-sensor.service"
                                                           ).read_text()

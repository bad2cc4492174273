"""What can be checked here of the macOS and Windows packaging (neither OS is available in CI):
plists and the configuration profile parse and carry the keys launchd/MDM need, shell scripts pass
shellcheck, the WiX source is well-formed and names files that exist, and every platform agrees on the
enrollment variable names and file locations."""

from __future__ import annotations

import plistlib
import re
import uuid
import xml.etree.ElementTree as ET

from tests.packaging.conftest import PACKAGING, REPO, require_tool, run

MACOS = PACKAGING / "macos"
WINDOWS = PACKAGING / "windows"
ENROLL_VARS = {"CLAWWATCH_COLLECTOR", "CLAWWATCH_ENROLL_SECRET", "CLAWWATCH_CA_BUNDLE"}
SH_SCRIPTS = [PACKAGING / "linux" / "clawwatch-launch", MACOS / "clawwatch-launch",
              MACOS / "scripts" / "preinstall", MACOS / "scripts" / "postinstall",
              MACOS / "uninstall.sh", MACOS / "build-pkg.sh", PACKAGING / "deb" / "postinst",
              PACKAGING / "deb" / "prerm", PACKAGING / "deb" / "postrm"]
BASH_SCRIPTS = [PACKAGING / "binary" / "build.sh", PACKAGING / "deb" / "build-deb.sh",
                REPO / "scripts" / "install-packaging-tools.sh"]


def test_shell_scripts_pass_shellcheck_and_are_executable() -> None:
    shellcheck = require_tool("shellcheck")
    for script in SH_SCRIPTS + BASH_SCRIPTS:
        assert script.stat().st_mode & 0o111, f"{script} must be executable"
    run([shellcheck, "--shell=sh", "--severity=style", *map(str, SH_SCRIPTS)])
    run([shellcheck, "--shell=bash", "--severity=style", *map(str, BASH_SCRIPTS)])


def test_launch_daemon_plist() -> None:
    plist = plistlib.loads((MACOS / "com.clawwatch.sensor.plist").read_bytes())
    assert plist["Label"] == "com.clawwatch.sensor"
    assert plist["ProgramArguments"] == ["/usr/local/clawwatch/clawwatch-launch"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] is True
    assert plist["ThrottleInterval"] >= 10
    assert plist["Umask"] == 0o077
    assert "EnvironmentVariables" not in plist, "no secrets in a world-readable plist"
    # build-pkg.sh installs the launcher where ProgramArguments points, and the launcher runs the sensor.
    assert "$payload/usr/local/clawwatch/clawwatch-launch" in (MACOS / "build-pkg.sh").read_text()
    assert "exec /usr/local/clawwatch/clawwatch sensor run --config" in (MACOS / "clawwatch-launch").read_text()


def payloads(profile: dict[str, object]) -> dict[str, dict[str, object]]:
    content = profile["PayloadContent"]
    assert isinstance(content, list)
    return {str(p["PayloadType"]): p for p in content}


def test_configuration_profile_payloads() -> None:
    profile = plistlib.loads((MACOS / "clawwatch.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadScope"] == "System"
    by_type = payloads(profile)
    assert set(by_type) == {"com.clawwatch.sensor", "com.apple.TCC.configuration-profile-policy",
                            "com.apple.servicemanagement"}
    uuids = [profile["PayloadUUID"]] + [p["PayloadUUID"] for p in by_type.values()]
    assert len({uuid.UUID(str(u)) for u in uuids}) == len(uuids), "payload UUIDs must be unique"
    identifiers = [p["PayloadIdentifier"] for p in by_type.values()]
    assert len(set(identifiers)) == len(identifiers)
    for p in by_type.values():
        assert p["PayloadVersion"] == 1

    enrollment = by_type["com.clawwatch.sensor"]
    assert {"CollectorURL", "EnrollSecret", "CABundle"} <= set(enrollment)
    launcher = (MACOS / "clawwatch-launch").read_text()
    for key, var in (("CollectorURL", "CLAWWATCH_COLLECTOR"), ("EnrollSecret", "CLAWWATCH_ENROLL_SECRET"),
                     ("CABundle", "CLAWWATCH_CA_BUNDLE")):
        assert f"{key}:{var}" in launcher, f"launcher must map managed preference {key} to {var}"

    pppc = by_type["com.apple.TCC.configuration-profile-policy"]["Services"]
    assert isinstance(pppc, dict)
    fda = pppc["SystemPolicyAllFiles"][0]
    assert fda["Identifier"] == "/usr/local/clawwatch/clawwatch" and fda["IdentifierType"] == "path"
    assert fda["Allowed"] is True and fda["CodeRequirement"].startswith('identifier "clawwatch"')

    rules = by_type["com.apple.servicemanagement"]["Rules"]
    assert {"RuleType": "Label", "RuleValue": "com.clawwatch.sensor"}.items() <= rules[0].items()


def test_productbuild_distribution_is_well_formed() -> None:
    root = ET.parse(MACOS / "distribution.xml").getroot()
    assert root.tag == "installer-gui-script"
    refs = [e.text for e in root.iter("pkg-ref") if e.text]
    assert refs == ["clawwatch-component.pkg"]
    assert "clawwatch-component.pkg" in (MACOS / "build-pkg.sh").read_text()


def test_every_platform_uses_the_same_enrollment_variables() -> None:
    pattern = re.compile(r"CLAWWATCH_[A-Z_]+")
    files = [PACKAGING / "linux" / "enroll.env", PACKAGING / "deb" / "postinst", MACOS / "clawwatch-launch",
             PACKAGING / "linux" / "clawwatch-launch",
             MACOS / "scripts" / "postinstall", WINDOWS / "install.ps1"]
    for path in files:
        found = set(pattern.findall(path.read_text()))
        assert ENROLL_VARS <= found, f"{path} lacks {ENROLL_VARS - found}"
    assert "EnvironmentFile=-/etc/clawwatch/enroll.env" in (PACKAGING / "linux" / "clawwatch-sensor.service"
                                                           ).read_text()

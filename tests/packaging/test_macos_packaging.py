"""The macOS pkg, checked as far as Linux allows (what needs a Mac is in docs/macos.md's release
checklist): the LaunchDaemon runs the signed binary itself, no secret is world-readable, the PPPC
profile is keyed to a code requirement, the payload tree and its modes, the install/uninstall scripts
on a scratch root, the Mach-O signing list and architecture claim on real Mach-O files, shellcheck.

Real Mach-O files come from the installed OpenClaw npm package, which ships macOS builds of one native
module (``@earendil-works/pi-tui``: ``darwin-arm64`` and ``darwin-x64``); they stand in for the bundle's
executable and libraries, which only a Mac can build.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import struct
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, clean_env, require_tool, run
from tests.support.openclaw_install import OpenClawUnavailable, openclaw_root

MACOS = PACKAGING / "macos"
SUPPORT = "/Library/Application Support/clawwatch"
BINARY = "/usr/local/clawwatch/clawwatch"
SECRET = "FAKE-enroll-secret-0123456789abcdef"
SH_SCRIPTS = [MACOS / "build-pkg.sh", MACOS / "stage-payload.sh", MACOS / "install-enroll-secret",
              MACOS / "uninstall.sh", MACOS / "scripts" / "preinstall", MACOS / "scripts" / "postinstall",
              PACKAGING / "mdm" / "jamf-extension-attribute.sh", PACKAGING / "mdm" / "build-mdm-scripts.sh"]

sys.path.insert(0, str(MACOS))
import macho  # noqa: E402
import render_profile  # noqa: E402


def real_macho() -> dict[str, Path]:
    try:
        root = openclaw_root()
    except OpenClawUnavailable as exc:
        pytest.skip(f"real OpenClaw package (its darwin native module) unavailable: {exc}")
    base = (root / "global" / "lib" / "node_modules" / "openclaw" / "node_modules" / "@earendil-works" / "pi-tui"
            / "native" / "darwin" / "prebuilds")
    found = {"arm64": base / "darwin-arm64" / "darwin-modifiers.node",
             "x86_64": base / "darwin-x64" / "darwin-modifiers.node"}
    for path in found.values():
        assert path.is_file(), path
    return found


def fake_bundle(root: Path, main_arch: str = "arm64", library_arch: str | None = None) -> Path:
    """A PyInstaller 6 macOS onedir layout (executable, ``_internal/Python.framework`` with the
    extension-less ``Python`` library, ``_internal/Python`` a symlink into it, extension modules, data),
    every Mach-O a copy of a real one."""
    files = real_macho()
    bundle = root / "clawwatch-dir"
    internal = bundle / "_internal"
    framework = internal / "Python.framework" / "Versions" / "3.11"
    for d in (framework, internal / "lib-dynload", internal / "psutil"):
        d.mkdir(parents=True)
    lib = files[library_arch or main_arch]
    shutil.copy(files[main_arch], bundle / "clawwatch")
    (bundle / "clawwatch").chmod(0o755)
    shutil.copy(lib, framework / "Python")
    (internal / "Python").symlink_to("Python.framework/Versions/3.11/Python")
    shutil.copy(lib, internal / "lib-dynload" / "_ssl.cpython-311-darwin.so")
    shutil.copy(lib, internal / "psutil" / "_psutil_osx.abi3.so")
    (internal / "base_library.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (internal / "Example.class").write_bytes(struct.pack(">IHH", 0xCAFEBABE, 0, 52))  # Java's magic too
    return bundle


# --- launchd, profile, distribution ---------------------------------------------------------------

def test_launch_daemon_runs_the_signed_binary_itself_and_holds_no_secret() -> None:
    plist = plistlib.loads((MACOS / "com.clawwatch.sensor.plist").read_bytes())
    assert plist["Label"] == "com.clawwatch.sensor"
    assert plist["ProgramArguments"] == [BINARY, "sensor", "run", "--config", f"{SUPPORT}/sensor.toml"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] is True and plist["ThrottleInterval"] >= 10
    assert plist["Umask"] == 0o077
    assert plist["EnvironmentVariables"] == {"CLAWWATCH_STATE_DIR": f"{SUPPORT}/state"}
    assert plist["WorkingDirectory"] == f"{SUPPORT}/state"
    text = (MACOS / "com.clawwatch.sensor.plist").read_text().lower()
    assert "secret</key>" not in text and "token</key>" not in text


def test_profile_template_payloads_and_no_secret_in_managed_preferences() -> None:
    profile = plistlib.loads((MACOS / "clawwatch.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadScope"] == "System"
    by_type = {p["PayloadType"]: p for p in profile["PayloadContent"]}
    assert set(by_type) == {"com.clawwatch.sensor", "com.apple.TCC.configuration-profile-policy",
                            "com.apple.servicemanagement"}
    prefs = by_type["com.clawwatch.sensor"]
    assert {k for k in prefs if not k.startswith("Payload")} == {"CollectorURL", "CABundle"}
    [fda] = by_type["com.apple.TCC.configuration-profile-policy"]["Services"]["SystemPolicyAllFiles"]
    assert (fda["Identifier"], fda["IdentifierType"], fda["Allowed"], fda["StaticCode"]) == (
        BINARY, "path", True, False)
    assert fda["CodeRequirement"] == "REPLACE_CODE_REQUIREMENT"
    rules = by_type["com.apple.servicemanagement"]["Rules"]
    assert {"RuleType": "Label", "RuleValue": "com.clawwatch.sensor"}.items() <= rules[0].items()


REQUIREMENT = ('identifier "com.clawwatch.sensor" and anchor apple generic and certificate 1[field.1.2.840.113635'
               '.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and '
               'certificate leaf[subject.OU] = ABCDE12345')


def test_rendered_profile_is_keyed_to_the_code_requirement_with_stable_unique_uuids(tmp_path: Path) -> None:
    out = tmp_path / "p.mobileconfig"
    assert render_profile.main(["--code-requirement", REQUIREMENT, "--collector-url", "https://cw.example:8443",
                                "--organization", "Example Corp", "--out", str(out)]) == 0
    profile = plistlib.loads(out.read_bytes())
    by_type = {p["PayloadType"]: p for p in profile["PayloadContent"]}
    fda = by_type["com.apple.TCC.configuration-profile-policy"]["Services"]["SystemPolicyAllFiles"][0]
    assert fda["CodeRequirement"] == REQUIREMENT
    assert by_type["com.clawwatch.sensor"]["CollectorURL"] == "https://cw.example:8443"
    uuids = [profile["PayloadUUID"], *(p["PayloadUUID"] for p in profile["PayloadContent"])]
    assert len({uuid.UUID(u) for u in uuids}) == len(uuids)
    again = render_profile.render(REQUIREMENT, organization="Example Corp")
    assert again["PayloadUUID"] == profile["PayloadUUID"], "re-rendering must update the profile in place"
    assert "REPLACE_" not in out.read_text().replace("REPLACE_COLLECTOR_HOST", "")


def test_render_refuses_a_placeholder_requirement_and_a_secret(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    assert render_profile.main(["--code-requirement", "REPLACE_CODE_REQUIREMENT", "--out",
                                str(tmp_path / "x")]) == 2
    template = plistlib.loads((MACOS / "clawwatch.mobileconfig").read_bytes())
    template["PayloadContent"][0]["EnrollSecret"] = SECRET
    leaky = tmp_path / "leaky.mobileconfig"
    leaky.write_bytes(plistlib.dumps(template))
    monkeypatch.setattr(render_profile, "TEMPLATE", leaky)
    with pytest.raises(ValueError, match="world-readable"):
        render_profile.render(REQUIREMENT)


def test_distribution_claims_the_architectures_build_pkg_measures() -> None:
    root = ET.parse(MACOS / "distribution.xml").getroot()
    assert root.tag == "installer-gui-script"
    options = root.find("options")
    assert options is not None and options.get("hostArchitectures") == "@ARCHS@"
    assert [e.text for e in root.iter("pkg-ref") if e.text] == ["clawwatch-component.pkg"]
    build = (MACOS / "build-pkg.sh").read_text()
    assert 'archs=$(python3 "$here/macho.py" archs "$app/clawwatch")' in build
    assert 's/@ARCHS@/$archs/g' in build and 'macho.py" check "$app" "$app/clawwatch"' in build


# --- Mach-O: what gets signed, which architectures ------------------------------------------------

def test_architectures_of_real_mach_o_files() -> None:
    files = real_macho()
    assert macho.archs(files["arm64"]) == ["arm64"]
    assert macho.archs(files["x86_64"]) == ["x86_64"]
    assert macho.archs(Path("/bin/sh")) is None  # an ELF
    assert macho.main(["archs", str(files["arm64"])]) == 0


def test_a_universal_binary_lists_both_architectures(tmp_path: Path) -> None:
    """Assembled here from the two real thin files with <mach-o/fat.h>'s layout (what `lipo -create`
    writes on a Mac): a header naming each slice, then the slices."""
    files = real_macho()
    slices = [files["x86_64"].read_bytes(), files["arm64"].read_bytes()]
    offset, headers, body = 4096, b"", b""
    for data in slices:
        cputype, cpusubtype = struct.unpack("<ii", data[4:12])
        headers += struct.pack(">iiIII", cputype, cpusubtype, offset + len(body), len(data), 12)
        body += data + b"\0" * (-len(data) % 4096)
    fat = tmp_path / "universal"
    fat.write_bytes((struct.pack(">II", 0xCAFEBABE, 2) + headers).ljust(offset, b"\0") + body)
    assert sorted(macho.archs(fat) or []) == ["arm64", "x86_64"]


def test_sign_order_lists_every_mach_o_nested_first_and_the_executable_last(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    order = [p.relative_to(bundle).as_posix() for p in macho.sign_order(bundle)]
    assert order[-1] == "clawwatch"
    assert "_internal/Python.framework/Versions/3.11/Python" in order  # no suffix, found by its header
    assert order.index("_internal/Python.framework/Versions/3.11/Python") < order.index(
        "_internal/Python.framework")
    assert "_internal/Python" not in order  # a symlink: its target is signed
    assert not any(p.endswith((".zip", ".class")) for p in order)
    assert set(order) == {"clawwatch", "_internal/Python.framework", "_internal/Python.framework/Versions/3.11/Python",
                          "_internal/lib-dynload/_ssl.cpython-311-darwin.so", "_internal/psutil/_psutil_osx.abi3.so"}


def test_check_refuses_a_library_without_the_executables_architecture(tmp_path: Path) -> None:
    good = fake_bundle(tmp_path / "good")
    assert macho.check(good, good / "clawwatch") == []
    mixed = fake_bundle(tmp_path / "mixed", main_arch="arm64", library_arch="x86_64")
    problems = macho.check(mixed, mixed / "clawwatch")
    assert len(problems) == 3 and all("needs arm64" in p for p in problems)
    assert macho.main(["check", str(mixed), str(mixed / "clawwatch")]) == 1


# --- payload, install, uninstall ------------------------------------------------------------------

def stage(tmp_path: Path, bundle: Path, secret: Path | None = None) -> Path:
    payload = tmp_path / "payload"
    run(["sh", str(MACOS / "stage-payload.sh"), str(bundle), str(payload), *([str(secret)] if secret else [])])
    return payload


def modes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): oct(p.lstat().st_mode & 0o777) for p in root.rglob("*")
            if not p.is_symlink() and not p.relative_to(root).as_posix().startswith("usr/local/clawwatch/_internal")}


def test_payload_tree_and_modes(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    payload = stage(tmp_path, fake_bundle(tmp_path), secret)
    got = modes(payload)
    assert got["Library/LaunchDaemons/com.clawwatch.sensor.plist"] == "0o644"
    assert got["Library/Application Support/clawwatch/enroll-secret"] == "0o600"
    assert got["Library/Application Support/clawwatch"] == "0o755"
    assert got["usr/local/clawwatch/clawwatch"] == "0o755"
    assert got["usr/local/clawwatch/uninstall.sh"] == got["usr/local/clawwatch/install-enroll-secret"] == "0o755"
    assert got["usr/local/clawwatch/sensor.toml.default"] == "0o644"
    assert os.readlink(payload / "usr/local/bin/clawwatch") == "../clawwatch/clawwatch"
    assert (payload / "usr/local/clawwatch/_internal/Python.framework/Versions/3.11/Python").is_file()
    holders = [p for p in payload.rglob("*")
               if p.is_file() and not p.is_symlink() and SECRET.encode() in p.read_bytes()]
    assert holders == [payload / "Library/Application Support/clawwatch/enroll-secret"]
    plutil_like = plistlib.loads((payload / "Library/LaunchDaemons/com.clawwatch.sensor.plist").read_bytes())
    assert plutil_like["ProgramArguments"][0] == BINARY
    without = stage(tmp_path / "plain", fake_bundle(tmp_path / "plain"))
    assert not (without / "Library/Application Support/clawwatch/enroll-secret").exists()


def test_payload_from_the_real_onedir_bundle(built_binary: Path, tmp_path: Path) -> None:
    bundle = built_binary.parent / "clawwatch-dir"
    payload = stage(tmp_path, bundle)
    done = run([str(payload / "usr/local/clawwatch/clawwatch"), "--version"])
    assert done.stdout.startswith("clawwatch ")


def as_root(argv: list[str]) -> list[str]:
    """The pkg scripts chown to root (0:0): run them under fakeroot unless we are root."""
    return argv if os.geteuid() == 0 else [require_tool("fakeroot"), *argv]


def test_postinstall_upgrade_and_uninstall_on_a_scratch_root(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    root = stage(tmp_path, fake_bundle(tmp_path), secret)
    (root / "Library/Application Support/clawwatch/enroll-secret").chmod(0o644)  # as if a tool loosened it
    env = clean_env(PATH="/usr/bin:/bin")
    run(as_root(["sh", str(MACOS / "scripts" / "postinstall"), "pkg", "/", str(root), "/"]), env=env)
    got = modes(root)
    assert got["Library/Application Support/clawwatch/state"] == "0o700"
    assert got["Library/Logs/clawwatch"] == "0o700"
    assert got["Library/Application Support/clawwatch/sensor.toml"] == "0o644"
    assert got["Library/Application Support/clawwatch/enroll-secret"] == "0o600"
    config = root / "Library/Application Support/clawwatch/sensor.toml"
    config.write_text(config.read_text() + "# local edit\n")
    run(as_root(["sh", str(MACOS / "scripts" / "postinstall"), "pkg", "/", str(root), "/"]), env=env)  # upgrade
    assert config.read_text().endswith("# local edit\n")

    keep = root / "Library/Application Support/clawwatch/keep-on-uninstall"
    keep.touch()
    run(["sh", str(MACOS / "uninstall.sh")], env=clean_env(PATH="/usr/bin:/bin", CLAWWATCH_ROOT=str(root)))
    assert not (root / "usr/local/clawwatch").exists()
    assert not (root / "Library/LaunchDaemons/com.clawwatch.sensor.plist").exists()
    assert config.exists() and (root / "Library/Application Support/clawwatch/enroll-secret").exists()
    keep.unlink()
    run(["sh", str(MACOS / "uninstall.sh")], env=clean_env(PATH="/usr/bin:/bin", CLAWWATCH_ROOT=str(root),
                                                          KEEP_DATA="1"))
    assert config.exists()
    run(["sh", str(MACOS / "uninstall.sh")], env=clean_env(PATH="/usr/bin:/bin", CLAWWATCH_ROOT=str(root)))
    assert not (root / "Library/Application Support/clawwatch").exists()
    assert not (root / "Library/Logs/clawwatch").exists()


def test_install_enroll_secret_reads_stdin_and_writes_root_only(tmp_path: Path) -> None:
    env = clean_env(PATH="/usr/bin:/bin", CLAWWATCH_ROOT=str(tmp_path))
    done = subprocess.run(as_root(["sh", str(MACOS / "install-enroll-secret")]), input=SECRET, env=env,
                          text=True, capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "Library/Application Support/clawwatch/enroll-secret"
    assert written.read_text() == SECRET + "\n" and written.stat().st_mode & 0o777 == 0o600
    assert SECRET not in done.stdout + done.stderr
    empty = subprocess.run(as_root(["sh", str(MACOS / "install-enroll-secret")]), input="", env=env, text=True,
                           capture_output=True, timeout=30, check=False)
    assert empty.returncode == 2 and written.read_text() == SECRET + "\n"


def test_macos_shell_scripts_pass_shellcheck_and_are_executable() -> None:
    shellcheck = require_tool("shellcheck")
    for script in SH_SCRIPTS:
        assert script.stat().st_mode & 0o111, f"{script} must be executable"
    run([shellcheck, "--shell=sh", "--severity=style", *map(str, SH_SCRIPTS)])


def test_no_macos_file_still_points_at_the_removed_shell_launcher() -> None:
    for path in MACOS.rglob("*"):
        if path.is_file() and path.suffix != ".pyc":
            assert "clawwatch-launch" not in path.read_text(errors="replace"), path

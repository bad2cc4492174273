"""clawwatch.msi built here with msitools (wixl + msibuild, packaging/windows/build-msi.sh), read back with
msiinfo; Authenticode test-signing with osslsigncode and a throwaway certificate; a lint of the PowerShell.

The payload is a stand-in onedir: PyInstaller cannot build the Windows bundle on Linux, so the Windows CPython's
own python.exe / DLLs (real PE files, from scripts/install-wine-python.sh) take the places of clawwatch.exe,
clawwatch-service.exe and _internal/. What is checked is the installer's tables and sequences, not the payload.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, require_tool
from tests.support.wine.runner import WinePython, WineUnavailable

BUILD = PACKAGING / "windows" / "build-msi.sh"
PS1 = [PACKAGING / "windows" / "install.ps1", PACKAGING / "windows" / "uninstall.ps1",
       PACKAGING / "mdm" / "intune-detect.ps1"]


def table(msi: Path, name: str) -> list[list[str]]:
    out = subprocess.run([require_tool("msiinfo"), "export", str(msi), name], check=True, capture_output=True,
                         text=True).stdout
    return [line.split("\t") for line in out.splitlines()[3:]]


@pytest.fixture(scope="module")
def onedir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        cp311 = WinePython.find().root / "win" / "cp311"
    except WineUnavailable as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("onedir")
    (root / "_internal").mkdir()
    shutil.copyfile(cp311 / "python.exe", root / "clawwatch.exe")
    shutil.copyfile(cp311 / "pythonw.exe", root / "clawwatch-service.exe")
    for name in ("python311.dll", "_socket.pyd", "python311.zip"):
        shutil.copyfile(cp311 / name, root / "_internal" / name)
    return root


@pytest.fixture(scope="module")
def msi(onedir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("wixl")
    out = tmp_path_factory.mktemp("msi") / "clawwatch.msi"
    subprocess.run(["bash", str(BUILD), str(onedir), str(out), "0.1.0"], check=True, capture_output=True)
    return out


def test_service_is_installed_with_recovery_actions(msi: Path) -> None:
    services = {row[1]: row for row in table(msi, "ServiceInstall")}
    _key, _name, display, service_type, start, _error, _group, _deps, account, _pw, _args, component, _desc = (
        services["clawwatch"])
    # 16 = own process, 2 = automatic start
    assert (display, service_type, start, account, component) == ("clawwatch sensor", "16", "2", "LocalSystem",
                                                                   "Service")
    files = {row[0]: row for row in table(msi, "File")}
    assert files["ServiceExe"][1:3] == ["Service", "clawwatch-service.exe"]  # the service component's key file
    control = table(msi, "ServiceControl")[0]
    assert control[1] == "clawwatch"
    # 1 = SC_ACTION_RESTART three times; delays 5 s, 5 s, 60 s; counter reset after a day
    recovery = table(msi, "MsiServiceConfigFailureActions")[0]
    assert recovery[1:4] == ["clawwatch", "5", "86400"] and recovery[6:9] == ["1[~]1[~]1", "5000[~]5000[~]60000",
                                                                          "Service"]


def test_onedir_bundle_is_shipped(msi: Path) -> None:
    names = {row[2] for row in table(msi, "File")}
    assert {"clawwatch.exe", "clawwatch-service.exe", "python311.dll", "python311.zip"} <= names


def test_programdata_is_locked_to_system_and_administrators(msi: Path) -> None:
    directories = {row[0]: row for row in table(msi, "Directory")}
    assert directories["DATAFOLDER"][1:3] == ["CommonAppDataFolder", "clawwatch"]
    assert ["DATAFOLDER", "DataFolder"] in [row[:2] for row in table(msi, "CreateFolder")]
    lock = table(msi, "MsiLockPermissionsEx")
    # protected DACL (no inheritance from ProgramData), full control for SYSTEM (SY) and Administrators (BA) only
    assert [row[1:4] for row in lock] == [["DATAFOLDER", "CreateFolder", "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"]]


def test_upgrade_removes_the_old_sensor_before_installing_files(msi: Path) -> None:
    sequence = {row[0]: (row[1], int(row[2])) for row in table(msi, "InstallExecuteSequence")}
    order = ["InstallValidate", "RemoveExistingProducts", "InstallInitialize", "StopServices", "RemoveFiles",
             "InstallFiles", "Enroll", "InstallServices", "MsiConfigureServices", "StartServices"]
    assert [sequence[a][1] for a in order] == sorted(sequence[a][1] for a in order)
    assert sequence["Unenroll"][0] == 'REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE'
    assert sequence["Unenroll"][1] < sequence["RemoveFiles"][1]
    assert table(msi, "Upgrade")[0][0] == "{5B0C6F2A-7E41-4D6B-9A3C-1F2E3D4C5B6A}"


def test_one_uninstall_action_carries_purge(msi: Path) -> None:
    """No SetProperty pair racing for -KeepData: one deferred action passes PURGE through."""
    actions = {row[0]: row for row in table(msi, "CustomAction")}
    assert actions["Unenroll"][1] == "3170" and '-Purge "[PURGE]"' in actions["Unenroll"][3]
    assert actions["Enroll"][1] == "3106" and '"[ENROLLSECRET]"' in actions["Enroll"][3]
    assert not [a for a in actions if "KEEPDATA" in a.upper()]
    assert ["MsiHiddenProperties", "ENROLLSECRET"] in table(msi, "Property")


def test_msi_is_authenticode_signed_with_a_throwaway_cert(onedir: Path, tmp_path: Path) -> None:
    openssl, osslsigncode = require_tool("openssl"), require_tool("osslsigncode")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=clawwatch test signing", "-keyout", str(key), "-out", str(cert)], check=True,
                   capture_output=True)
    out = tmp_path / "signed.msi"
    subprocess.run(["bash", str(BUILD), str(onedir), str(out)], check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "SIGN_CERT": str(cert), "SIGN_KEY": str(key)})
    verify = subprocess.run([osslsigncode, "verify", "-CAfile", str(cert), "-in", str(out)], capture_output=True,
                            text=True)
    assert "Signature verification: ok" in verify.stdout, verify.stdout + verify.stderr
    assert "clawwatch test signing" in verify.stdout
    # tampering with the signed package breaks the signature
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    tampered = subprocess.run([osslsigncode, "verify", "-CAfile", str(cert), "-in", str(out)], capture_output=True,
                              text=True)
    assert "Signature verification: ok" not in tampered.stdout


# ---- documented lint (PowerShell is not in Debian's archive here: no PSScriptAnalyzer) ----------------------

@pytest.mark.parametrize("script", PS1, ids=[p.name for p in PS1])
def test_powershell_lint(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    assert text.isascii(), "Windows PowerShell 5.1 reads BOM-less scripts in the ANSI code page"
    assert "$ErrorActionPreference" in text
    restart = re.search(r"-RestartCount\s+(\d+)", text)
    assert restart is None or int(restart.group(1)) <= 255  # Task Scheduler's schema maximum
    assert not re.search(r"\bInvoke-Expression\b|\biex\b", text, re.IGNORECASE)
    assert not re.search(r"Join-Path\s+\$env:ProgramFiles\b", text), "32-bit PowerShell: use $env:ProgramW6432"
    assert text.count("{") == text.count("}") and text.count("(") == text.count(")")


def test_install_script_distrusts_a_planted_config_and_locks_programdata() -> None:
    text = (PACKAGING / "windows" / "install.ps1").read_text(encoding="utf-8")
    assert "Test-TrustedOwner $ConfigFile" in text and '"S-1-5-18", "S-1-5-32-544"' in text
    assert "/inheritance:r" in text and "ProcessCreationIncludeCmdLine_Enabled" in text

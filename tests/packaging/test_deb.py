"""The .deb: build it, inspect it, lint it, install/upgrade/purge it in a throwaway dpkg root.

Installs use ``dpkg --root=DIR --force-script-chrootless``: dpkg unpacks into DIR and runs the real
maintainer scripts on this host with DPKG_ROOT=DIR (they honour it), so nothing touches the host's
/etc, /var or systemd. ``--force-depends`` only because the empty root has no libc6 registered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import (
    PACKAGING,
    REPO,
    clean_env,
    legacy_clawdbot_home,
    require_tool,
    run,
    run_sensor_until_alert,
)
from tests.support.ports import free_port_block

UNIT = "clawwatch-sensor.service"
UNIT_PATH = Path("lib/systemd/system") / UNIT
SECRET = "FAKE-enroll-secret-7d1e+/="
VENV_CLAWWATCH = PACKAGING.parent / ".venv" / "bin" / "clawwatch"  # a canary, never a real secret


def dpkg(root: Path, *args: str, **env: str) -> str:
    done = run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-not-root",
                "--force-depends", *args], env=clean_env(**env))
    return done.stdout + done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def files_left(root: Path) -> list[str]:
    """Every non-directory under root except dpkg's own database."""
    left = []
    for dirpath, _dirs, names in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts[:3] == ("var", "lib", "dpkg"):
            continue
        left += [str(rel / n) for n in names]
    return sorted(left)


def test_control_fields_and_conffiles(built_deb: Path) -> None:
    fields = run(["dpkg-deb", "--field", str(built_deb), "Package", "Version", "Architecture",
                  "Depends"]).stdout
    assert "Package: clawwatch" in fields
    assert "Version: 0.1.0" in fields
    depends = re.search(r"^Depends: libc6 \(>= (2\.\d+)\)$", fields, re.MULTILINE)
    assert depends, fields
    # The glibc floor is what the bundle's ELF files actually reference, and this host satisfies it.
    symbols = run(["sh", "-c", "find \"$0\" -type f \\( -name '*.so*' -o -name clawwatch \\) -exec objdump -T {} +",
                   str(REPO / "dist" / "clawwatch-dir")]).stdout
    newest = max(re.findall(r"GLIBC_(2\.\d+)", symbols), key=lambda v: int(v.split(".")[1]))
    assert depends.group(1) == newest
    host = os.confstr("CS_GNU_LIBC_VERSION") or ""
    assert int(newest.split(".")[1]) <= int(host.split(".")[-1]), (newest, host)
    info = run(["dpkg-deb", "--info", str(built_deb), "conffiles"]).stdout.split()
    assert info == ["/etc/clawwatch/sensor.toml"]


def test_contents_owners_and_modes(built_deb: Path) -> None:
    listing = run(["dpkg-deb", "--contents", str(built_deb)]).stdout.splitlines()
    entries = {line.split()[-1] if " -> " not in line else line.split()[-3]: line for line in listing}
    for path in ("./usr/lib/clawwatch/clawwatch", "./usr/bin/clawwatch", f"./{UNIT_PATH}",
                 "./etc/clawwatch/sensor.toml", "./usr/share/clawwatch/enroll.env.example",
                 "./usr/share/doc/clawwatch/copyright", "./usr/share/doc/clawwatch/changelog.gz"):
        assert path in entries, f"{path} missing from the package"
    assert all(" root/root " in line for line in listing), "every file must be owned by root"
    assert entries["./usr/lib/clawwatch/clawwatch"].startswith("-rwxr-xr-x")
    assert entries[f"./{UNIT_PATH}"].startswith("-rw-r--r--")
    assert "-> ../lib/clawwatch/clawwatch" in entries["./usr/bin/clawwatch"]
    assert not any(p.startswith(("./opt", "./var", "./tmp", "./home")) for p in entries)
    # The enrollment secret file is created 0600 by postinst, never shipped.
    assert "./etc/clawwatch/enroll.env" not in entries


def test_maintainer_scripts_pass_shellcheck(built_deb: Path, tmp_path: Path) -> None:
    shellcheck = require_tool("shellcheck")
    run(["dpkg-deb", "--control", str(built_deb), str(tmp_path / "ctl")])
    scripts = [tmp_path / "ctl" / s for s in ("postinst", "prerm", "postrm")]
    for script in scripts:
        assert mode(script) == 0o755, script
        assert script.read_text().startswith("#!/bin/sh\n")
    run([shellcheck, "--shell=sh", "--severity=style", *map(str, scripts)])


def test_lintian_reports_nothing_beyond_reviewed_overrides(built_deb: Path) -> None:
    lintian = require_tool("lintian")
    done = run([lintian, "--fail-on", "error,warning", "--tag-display-limit", "0", str(built_deb)],
               check=False, timeout=300)
    tags = [line for line in done.stdout.splitlines() if line[:2] in ("E:", "W:", "I:")]
    assert done.returncode == 0 and not tags, "\n".join(tags) or done.stderr


def test_install_files_permissions_enrollment_and_enabled_unit(built_deb: Path, dpkg_root: Path) -> None:
    out = dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_COLLECTOR="https://127.0.0.1:8443",
               CLAWWATCH_ENROLL_SECRET=SECRET)
    assert SECRET not in out, "the enrollment secret must never be printed"
    root = dpkg_root
    binary = root / "usr/bin/clawwatch"
    assert os.readlink(binary) == "../lib/clawwatch/clawwatch"
    version = run([str(binary), "--version"]).stdout.strip()
    assert version == "clawwatch 0.1.0"  # the stripped, RUNPATH-less bundle still runs

    enroll = root / "etc/clawwatch/enroll.env"
    assert mode(enroll) == 0o600
    values = dict(line.split("=", 1) for line in enroll.read_text().splitlines()
                  if line and not line.startswith("#"))
    assert values == {"CLAWWATCH_COLLECTOR": "https://127.0.0.1:8443", "CLAWWATCH_ENROLL_SECRET": SECRET,
                      "CLAWWATCH_CA_BUNDLE": ""}
    assert mode(root / "etc/clawwatch/sensor.toml") == 0o644
    for state in ("var/lib/clawwatch", "var/log/clawwatch"):
        assert (root / state).is_dir() and mode(root / state) == 0o700, state
    wants = root / "etc/systemd/system/multi-user.target.wants" / UNIT
    assert os.readlink(wants) == f"/{UNIT_PATH}", "postinst must enable the unit"
    assert (root / UNIT_PATH).read_text() == (PACKAGING / "linux" / UNIT).read_text()


def test_unit_passes_systemd_analyze_verify_and_security(built_deb: Path, dpkg_root: Path,
                                                         tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    dpkg(dpkg_root, "-i", str(built_deb))
    # verify resolves the unit's dependencies (sysinit.target, ...) and ExecStart inside --root: give
    # the throwaway root the host's own unit directory beside the installed package.
    host_units = Path("/lib/systemd/system")
    if not (host_units / "sysinit.target").exists():
        pytest.skip("host has no systemd unit directory to resolve sysinit.target")
    shutil.copytree(host_units, dpkg_root / "usr/lib/systemd/system", symlinks=True)
    done = run([analyze, "verify", f"--root={dpkg_root}", UNIT], check=False)
    # verify exits 0 on bad keys and values; it only warns. Any output at all is a defect.
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stderr
    security = run([analyze, "security", "--offline=true", f"--root={dpkg_root}", "--threshold=40",
                    "--no-pager", UNIT], check=False)
    assert security.returncode == 0, security.stdout[-3000:] + security.stderr
    overall = [line for line in security.stdout.splitlines() if "Overall exposure level" in line]
    assert overall, security.stdout[-2000:]
    score = float(overall[0].split(":")[1].split()[0])
    assert score <= 4.0, overall[0]  # OK or better; root + CAP_SYS_ADMIN keep it above "SAFE"


def test_upgrade_keeps_admin_edits_and_enrollment(built_deb: Path, dpkg_root: Path) -> None:
    dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_ENROLL_SECRET=SECRET)
    config = dpkg_root / "etc/clawwatch/sensor.toml"
    config.write_text(config.read_text() + "\n# admin edit\n")
    dpkg(dpkg_root, "-i", str(built_deb))  # reinstall/upgrade with no enrollment variables set
    assert config.read_text().endswith("# admin edit\n")
    assert f"CLAWWATCH_ENROLL_SECRET={SECRET}\n" in (dpkg_root / "etc/clawwatch/enroll.env").read_text()
    assert mode(dpkg_root / "etc/clawwatch/enroll.env") == 0o600


def test_remove_keeps_config_then_purge_removes_everything(built_deb: Path, dpkg_root: Path) -> None:
    dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_ENROLL_SECRET=SECRET)
    (dpkg_root / "var/lib/clawwatch/spool.db").write_text("queued alerts")
    (dpkg_root / "etc/clawwatch/admin-note.txt").write_text("added by the admin")

    dpkg(dpkg_root, "--remove", "clawwatch")
    assert not (dpkg_root / "usr/lib/clawwatch").exists()
    assert (dpkg_root / "etc/clawwatch/sensor.toml").exists()
    assert (dpkg_root / "var/lib/clawwatch/spool.db").exists()

    dpkg(dpkg_root, "--purge", "clawwatch")
    assert files_left(dpkg_root) == []
    for gone in ("etc/clawwatch", "var/lib/clawwatch", "var/log/clawwatch", "usr/lib/clawwatch"):
        assert not (dpkg_root / gone).exists(), gone


@pytest.mark.parametrize("knob", ["marker-file", "environment"])
def test_purge_keeps_state_and_enrollment_when_the_admin_asks(built_deb: Path, dpkg_root: Path,
                                                              knob: str) -> None:
    dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_ENROLL_SECRET=SECRET)
    (dpkg_root / "var/lib/clawwatch/host-id").write_text("host-1234")
    env = {}
    if knob == "marker-file":
        (dpkg_root / "etc/clawwatch/keep-on-purge").touch()
    else:
        env["CLAWWATCH_KEEP_ON_PURGE"] = "1"
    out = dpkg(dpkg_root, "--purge", "clawwatch", **env)
    assert "keep-on-purge" in out
    assert (dpkg_root / "var/lib/clawwatch/host-id").read_text() == "host-1234"
    assert SECRET in (dpkg_root / "etc/clawwatch/enroll.env").read_text()
    assert not (dpkg_root / "etc/clawwatch/sensor.toml").exists()  # dpkg always purges its conffile
    assert not (dpkg_root / "usr/lib/clawwatch").exists()


def test_enrollment_value_that_systemd_would_misread_is_refused_not_printed(built_deb: Path,
                                                                            dpkg_root: Path) -> None:
    bad = 'FAKE secret "with$quotes'
    out = dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_ENROLL_SECRET=bad,
               CLAWWATCH_COLLECTOR="https://127.0.0.1:8443")
    assert "CLAWWATCH_ENROLL_SECRET has characters" in out
    assert bad not in out
    text = (dpkg_root / "etc/clawwatch/enroll.env").read_text()
    assert "CLAWWATCH_ENROLL_SECRET=\n" in text and bad not in text
    assert "CLAWWATCH_COLLECTOR=https://127.0.0.1:8443\n" in text


def test_installed_service_entry_point_runs_the_sensor(built_deb: Path, dpkg_root: Path, tmp_path: Path) -> None:
    """The unit's ExecStart (the launcher) with the installed config and the stripped, RUNPATH-less bundle
    runs the live sensor until its first alert; no collector configured, so no --collector flag."""
    dpkg(dpkg_root, "-i", str(built_deb))
    unit = (dpkg_root / UNIT_PATH).read_text()
    assert "ExecStart=/usr/lib/clawwatch/clawwatch-launch\n" in unit
    launcher = dpkg_root / "usr/lib/clawwatch/clawwatch-launch"
    assert mode(launcher) == 0o755
    home = legacy_clawdbot_home(tmp_path / "home")
    out = tmp_path / "events.jsonl"
    env = clean_env(CLAWWATCH_CONFIG=str(dpkg_root / "etc/clawwatch/sensor.toml"),
                    CLAWWATCH_STATE_DIR=str(dpkg_root / "var/lib/clawwatch"), PATH="/usr/bin:/bin",
                    HOME=str(home))
    argv = [str(launcher), "--only-homes", "--home", str(home), "--output", str(out)]
    rc, alerts, log = run_sensor_until_alert(argv, env, out)
    assert alerts, f"no alert from the installed sensor; its log:\n{log}"
    assert rc == 0, log


@pytest.mark.e2e
def test_installed_sensor_enrolls_and_its_first_alert_reaches_the_collector(built_deb: Path, dpkg_root: Path,
                                                                           tmp_path: Path) -> None:
    """docs/deploy.md's walk-through on one machine: a real collector on loopback, the .deb installed with
    the enrollment values in the install-time environment, the unit's launcher started with the environment
    systemd would load from enroll.env; the first alert is then in the collector's alert queue."""
    port = free_port_block(1)
    admin = "FAKE-admin-" + uuid.uuid4().hex
    collector = subprocess.Popen(
        [str(VENV_CLAWWATCH), "collector", "serve", "--listen", f"127.0.0.1:{port}",
         "--db", f"sqlite:///{tmp_path / 'collector.db'}", "--enroll-secret", SECRET, "--admin-token", admin],
        env=clean_env(HOME=str(tmp_path)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _get(f"{base}/healthz"):
            assert collector.poll() is None, collector.stdout.read() if collector.stdout else ""
            time.sleep(0.5)

        dpkg(dpkg_root, "-i", str(built_deb), CLAWWATCH_COLLECTOR=base, CLAWWATCH_ENROLL_SECRET=SECRET)
        enroll_env = dict(line.split("=", 1) for line in
                          (dpkg_root / "etc/clawwatch/enroll.env").read_text().splitlines()
                          if line and not line.startswith("#"))
        home = legacy_clawdbot_home(tmp_path / "home")
        out = tmp_path / "events.jsonl"
        env = clean_env(**enroll_env, CLAWWATCH_CONFIG=str(dpkg_root / "etc/clawwatch/sensor.toml"),
                        CLAWWATCH_STATE_DIR=str(dpkg_root / "var/lib/clawwatch"), PATH="/usr/bin:/bin",
                        HOME=str(home))
        launcher = dpkg_root / "usr/lib/clawwatch/clawwatch-launch"
        sensor = subprocess.Popen([str(launcher), "--only-homes", "--home", str(home), "--output", str(out)], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
        alerts: list[Any] = []
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and sensor.poll() is None and not alerts:
                time.sleep(1)
                page = _get(f"{base}/api/v1/alerts", admin)
                alerts = page.get("items", []) if page else []
        finally:
            _stop(sensor)
        log = sensor.stdout.read() if sensor.stdout else ""
        assert alerts, f"no alert reached the collector; sensor log:\n{log[-3000:]}"
        assert SECRET not in log
        assert (dpkg_root / "var/lib/clawwatch/delivery/credential.json").exists(), "the sensor must enroll"
        assert mode(dpkg_root / "var/lib/clawwatch/delivery/credential.json") == 0o600
    finally:
        _stop(collector)


def _get(url: str, token: str | None = None) -> dict[str, Any] | None:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else {"items": data}


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

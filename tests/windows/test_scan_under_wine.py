"""`clawwatch scan` under the real Windows CPython (Wine) over the fake Windows host.

What passes today is asserted plainly. The defects reproduced here (issue 15) are ``xfail(strict=True)``: each
test states the correct behaviour and fails today for the reason given; when the platform facade fixes it the
test passes, strict xfail turns that into a failure, and the marker must go (so no fix goes unnoticed and no
defect is forgotten). docs/windows.md lists them with the exact commands.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.wine.fake_host import CJK_USER, FakeHost
from tests.windows.conftest import LaneRuns

NO_PROCESSES = ("--format", "json", "--no-processes")


def report(lane: LaneRuns, *args: str) -> dict[str, Any]:
    run = lane.scan(*args)
    assert run.returncode in (0, 1), run.stderr.decode("utf-8", "replace")[-2000:]
    parsed: dict[str, Any] = json.loads(run.stdout.decode("utf-8"))
    return parsed


def test_windows_cpython_is_the_real_one(wine: Any) -> None:
    done = wine.run_code("import sys, platform, psutil, pydantic_core, re2, win32evtlog, winreg;"
                         "print(sys.platform, platform.python_version(), sys.maxsize > 2**32, psutil.WINDOWS)")
    assert done.stdout.decode().split() == ["win32", "3.11.9", "True", "True"]


def test_scan_reports_windows_host_facts(lane: LaneRuns) -> None:
    host = report(lane, *NO_PROCESSES)["host"]
    assert host["os"] == "windows"
    assert host["arch"] == "AMD64"


def test_scan_finds_every_profile_install(lane: LaneRuns, windows_host: FakeHost) -> None:
    """ProfileList (root, alice, 张三) and the disk-only profile (bob) are all scanned."""
    found = {i["state_dir"].lower() for i in report(lane, *NO_PROCESSES)["installs"]}
    assert {d.lower() for d in windows_host.installs.values()} <= found


def test_scheduled_task_and_startup_item_are_found(lane: LaneRuns, windows_host: FakeHost) -> None:
    persistence = [(p["mechanism"], p["path"].lower()) for i in report(lane, *NO_PROCESSES)["installs"]
                   for p in i.get("persistence", [])]
    assert ("scheduled_task", windows_host.task_file.lower()) in persistence
    assert ("startup_folder", windows_host.startup_item.lower()) in persistence


def test_ascii_gateway_cmd_token_is_fingerprinted(lane: LaneRuns) -> None:
    """OpenClaw's en-US gateway.cmd (ASCII): its inline OPENCLAW_GATEWAY_TOKEN is a credential (kind, path)."""
    creds = [(c["kind"], c["path"].lower()) for i in report(lane, *NO_PROCESSES)["installs"]
             for c in i.get("credentials", [])]
    assert ("gateway_token", r"c:\users\root\.openclaw\gateway.cmd") in creds


def test_no_planted_secret_anywhere_in_the_lanes_output(lane: LaneRuns, windows_host: FakeHost) -> None:
    """Canary: every planted fake secret (fixtures' secrets.txt, OpenClaw-rendered launchers, the CJK config) is
    absent from every byte any lane run wrote, stdout and stderr, in UTF-8 and in UTF-16."""
    report(lane, *NO_PROCESSES)
    lane.scan(*NO_PROCESSES, utf8_mode=False)
    lane.scan("--format", "json")
    assert len(lane.runs) >= 3
    assert len(windows_host.canaries) >= 20
    for run in lane.runs.values():
        blob = run.stdout + run.stderr
        for name, value in windows_host.canaries.items():
            for encoded in (value.encode("utf-8"), value.encode("utf-16-le")):
                assert encoded not in blob, f"{name} leaked by scan {run.argv}"


# ---- defects reproduced under Wine (fixed by the platform facade; see docs/windows.md) ----------------------

@pytest.mark.xfail(strict=True, reason="sensor/inventory/processes.py asks psutil for 'uids' (absent on Windows): "
                   "ValueError: invalid attr name 'uids'")
def test_scan_with_processes_runs(lane: LaneRuns) -> None:
    report(lane, "--format", "json")


@pytest.mark.xfail(strict=True, reason="stdout is the ANSI code page (cp1252) through a pipe without -X utf8: "
                   "UnicodeEncodeError on the CJK profile's path")
def test_json_through_a_pipe_is_utf8_whatever_the_code_page(lane: LaneRuns) -> None:
    run = lane.scan(*NO_PROCESSES, utf8_mode=False)
    assert run.returncode in (0, 1), run.stderr.decode("utf-8", "replace")[-800:]
    assert CJK_USER in run.stdout.decode("utf-8")


@pytest.mark.xfail(strict=True, reason="paths compare case-sensitively: C:\\Users\\x (ProfileList) and C:\\users\\x "
                   "(listing) give two installs for one directory")
def test_one_install_per_directory(lane: LaneRuns) -> None:
    dirs = Counter(i["state_dir"].lower() for i in report(lane, *NO_PROCESSES)["installs"])
    assert all(n == 1 for n in dirs.values()), dirs


@pytest.mark.xfail(strict=True, reason="owner_name() on Windows returns str(uid); psutil/os.stat give uid 0: "
                   "every owner is '0'")
def test_owners_are_account_names(lane: LaneRuns) -> None:
    owners = {i.get("owner") for i in report(lane, *NO_PROCESSES)["installs"]}
    assert "0" not in owners and None not in owners, owners


@pytest.mark.xfail(strict=True, reason="file modes are synthetic on Windows (0666/0777): CW-STATE-DIR-PERMS and "
                   "CW-CREDENTIAL-PERMS fire on default ACLs")
def test_no_permission_findings_on_default_acls(lane: LaneRuns) -> None:
    ids = {f["id"] for f in report(lane, *NO_PROCESSES)["findings"]}
    assert not ids & {"CW-STATE-DIR-PERMS", "CW-CREDENTIAL-PERMS"}, ids


@pytest.mark.xfail(strict=True, reason="gateway.cmd in the OEM code page (GBK, OpenClaw's launcher-encoding "
                   "marker) is not decoded: its token is silently missed")
def test_gbk_gateway_cmd_token_is_fingerprinted(lane: LaneRuns) -> None:
    creds = [(c["kind"], c["path"].lower()) for i in report(lane, *NO_PROCESSES)["installs"]
             for c in i.get("credentials", [])]
    assert ("gateway_token", rf"c:\users\{CJK_USER}\.openclaw\gateway.cmd".lower()) in creds


def test_service_host_imports_under_windows_cpython(wine: Any) -> None:
    """pywin32's service framework loads and the host class builds (Wine has no Service Control Manager to start
    it: docs/windows.md)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import clawwatch_service as s;"
            "print(s.ClawwatchService._svc_name_, s.sensor_command()[1:3])")
    done = wine.run_code(code, wine.win(Path(__file__).resolve().parents[2] / "packaging" / "windows"))
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-800:]
    assert done.stdout.decode().split() == ["clawwatch", "['sensor',", "'run']"]

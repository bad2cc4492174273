"""The Windows service host of the clawwatch sensor (pywin32's service framework), frozen beside clawwatch.exe.

The MSI registers service "clawwatch" (LocalSystem, automatic start) with recovery actions (restart after 5 s,
5 s, 60 s). The Service Control Manager starts this host; it loads %ProgramData%\\clawwatch\\enroll.env
(CLAWWATCH_* lines, SYSTEM/Administrators-only ACL) into the environment of one child, ``clawwatch.exe sensor
run --config %ProgramData%\\clawwatch\\sensor.toml``, reports RUNNING, and on Stop ends that child (by its
handle) and reports STOPPED. A child that dies makes the service stop with an error exit code, so the SCM's
recovery actions restart it. Wine has no Service Control Manager: only import and the command line are
exercised in CI (tests/windows); docs/windows.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import servicemanager  # type: ignore[import-not-found]
import win32event  # type: ignore[import-not-found]
import win32service  # type: ignore[import-not-found]
import win32serviceutil  # type: ignore[import-not-found]

SERVICE_NAME = "clawwatch"
STOP_GRACE_MS = 30_000


def data_dir() -> Path:
    return Path(os.environ.get("ProgramData", r"C:\ProgramData")) / "clawwatch"


def enrollment_env(path: Path) -> dict[str, str]:
    """CLAWWATCH_* assignments from enroll.env; anything else is ignored."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.startswith("CLAWWATCH_") and key.replace("_", "").isalnum() and value:
            out[key] = value
    return out


def sensor_command() -> list[str]:
    exe = Path(sys.executable).with_name("clawwatch.exe")
    return [str(exe), "sensor", "run", "--config", str(data_dir() / "sensor.toml")]


class ClawwatchService(win32serviceutil.ServiceFramework):  # type: ignore[misc]
    _svc_name_ = SERVICE_NAME
    _svc_display_name_ = "clawwatch sensor"
    _svc_description_ = "Finds shadow OpenClaw installs and reports them to the collector"

    def __init__(self, args: list[str]) -> None:
        super().__init__(args)
        self.stop_event = win32event.CreateEvent(None, 0, 0, None)
        self.child: subprocess.Popen[bytes] | None = None

    def SvcStop(self) -> None:
        self.ReportServiceStatus(win32service.SERVICE_STOP_PENDING, waitHint=STOP_GRACE_MS)
        win32event.SetEvent(self.stop_event)

    def SvcDoRun(self) -> None:
        env = dict(os.environ)
        env.update(enrollment_env(data_dir() / "enroll.env"))
        self.child = subprocess.Popen(sensor_command(), env=env, stdin=subprocess.DEVNULL,
                                      creationflags=subprocess.CREATE_NO_WINDOW)
        self.ReportServiceStatus(win32service.SERVICE_RUNNING)
        servicemanager.LogInfoMsg(f"clawwatch sensor started (pid {self.child.pid})")
        while win32event.WaitForSingleObject(self.stop_event, 1000) == win32event.WAIT_TIMEOUT:
            code = self.child.poll()
            if code is not None:  # the SCM's recovery actions restart the service
                servicemanager.LogErrorMsg(f"clawwatch sensor exited with {code}")
                raise SystemExit(code or 1)
        self.child.terminate()
        try:
            self.child.wait(timeout=STOP_GRACE_MS / 1000)
        except subprocess.TimeoutExpired:
            self.child.kill()


def main(argv: list[str]) -> int:
    if len(argv) == 1:  # started by the SCM
        servicemanager.Initialize()
        servicemanager.PrepareToHostSingle(ClawwatchService)
        servicemanager.StartServiceCtrlDispatcher()
        return 0
    win32serviceutil.HandleCommandLine(ClawwatchService, argv=argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

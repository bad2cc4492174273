"""make-fake-windows-host: a Windows host inside the Wine prefix, built from the real-package fixtures.

Profiles (registry ProfileList and C:\\users on disk):
  root   S-1-5-21-0-0-0-1000 (Wine's own)  .openclaw from tests/fixtures/openclaw/v2026.9.6-lan-grants, gateway.cmd and
         gateway.vbs rendered by OpenClaw (tests/fixtures/windows-artefacts/en-US), the Startup-folder item, the
         Task Scheduler XML in C:\\Windows\\System32\\Tasks\\OpenClaw Gateway (UTF-16LE), an npm global install
  alice  S-1-5-21-0-0-0-1001, registered as C:\\Users\\alice (the disk says C:\\users\\alice: same directory,
         other case), the hand-made legacy ~/.clawdbot tree
  张三   S-1-5-21-0-0-0-1002, a CJK profile whose gateway.cmd is GBK as OpenClaw writes it on a zh-CN host
         (windows-artefacts/zh-CN) and whose openclaw.json holds a canary token
  bob    on disk only (no ProfileList entry): tests/fixtures/openclaw/v2026.9.6-loopback
Wine links root's Desktop/Documents/... to the Unix home; they are replaced by empty folders so nothing the lane
runs can reach the real user's files. Idempotent: every run removes what the previous one planted.

    .venv/bin/python -m tests.support.wine.fake_host      # builds it, prints the summary as JSON
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.wine.runner import WINE64, WinePython

REPO = Path(__file__).resolve().parents[3]
OPENCLAW_FIXTURES = REPO / "tests" / "fixtures" / "openclaw"
ARTEFACTS = REPO / "tests" / "fixtures" / "windows-artefacts"
PROFILE_LIST = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"
SHELL_FOLDERS = ("Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos")
CJK_USER = "张三"
CJK_CONFIG_TOKEN = "CANARY-cjk-cfg-0123456789abcdef0123"
PLANTED_USERS = ("alice", CJK_USER, "bob")
TASK_NAMES = ("OpenClaw Gateway", "Clawdbot Gateway")


@dataclass
class FakeHost:
    drive_c: Path
    installs: dict[str, str] = field(default_factory=dict)  # profile -> state dir, Windows spelling
    canaries: dict[str, str] = field(default_factory=dict)  # name -> planted fake secret value
    task_file: str = ""
    startup_item: str = ""


def _secrets(tree: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (tree / "secrets.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("\t", 1)
            out[f"{tree.name}:{name}"] = value
    return out


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)


def _import_registry(wine: WinePython, entries: dict[str, str]) -> None:
    """ProfileList entries (SID -> ProfileImagePath) through regedit, as one .reg file in UTF-16LE."""
    lines = ["Windows Registry Editor Version 5.00", ""]
    for sid, image in entries.items():
        lines += [f"[{PROFILE_LIST}\\{sid}]", f'"ProfileImagePath"="{image.replace(chr(92), chr(92) * 2)}"',
                  '"Flags"=dword:00000000', ""]
    reg = wine.root / "fake-host.reg"
    reg.write_bytes(b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le"))
    subprocess.run([str(WINE64), "regedit", "/S", wine.win(reg)], env=wine.environ(), check=True,
                   capture_output=True, timeout=120)


def build(wine: WinePython) -> FakeHost:
    c = wine.drive_c
    users = c / "users"
    host = FakeHost(drive_c=c)
    # 1. Forget what a previous build planted.
    root = users / "root"
    for name in (".openclaw", ".clawdbot"):
        shutil.rmtree(root / name, ignore_errors=True)
    shutil.rmtree(root / "AppData/Roaming/npm", ignore_errors=True)
    startup = root / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    shutil.rmtree(startup, ignore_errors=True)
    for user in PLANTED_USERS:
        shutil.rmtree(users / user, ignore_errors=True)
    tasks = c / "windows/system32/Tasks"
    for task in TASK_NAMES:
        (tasks / task).unlink(missing_ok=True)
    # 2. No way out to the Unix home.
    for folder in SHELL_FOLDERS:
        link = root / folder
        if link.is_symlink():
            link.unlink()
        link.mkdir(exist_ok=True)
    # 3. root: the 2026.9.6 install with every grant, launched by a scheduled task (+ Startup fallback item).
    lan = OPENCLAW_FIXTURES / "v2026.9.6-lan-grants"
    _copy_tree(lan / "home/.openclaw", root / ".openclaw")
    en = ARTEFACTS / "en-US"
    # OpenClaw rendered them for C:\Users\root; Wine's profile folder is C:\users\root (same directory).
    shutil.copyfile(en / "gateway.cmd", root / ".openclaw/gateway.cmd")
    shutil.copyfile(en / "gateway.vbs", root / ".openclaw/gateway.vbs")
    startup.mkdir(parents=True)
    shutil.copyfile(en / "startup.cmd", startup / "OpenClaw Gateway.cmd")
    tasks.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(en / "task.xml", tasks / "OpenClaw Gateway")
    npm = root / "AppData/Roaming/npm"
    (npm / "node_modules/openclaw/dist").mkdir(parents=True)
    (npm / "node_modules/openclaw/package.json").write_text('{"name": "openclaw", "version": "2026.9.6"}\n')
    (npm / "node_modules/openclaw/openclaw.mjs").write_text("#!/usr/bin/env node\n")
    (npm / "openclaw.cmd").write_bytes(b'@ECHO off\r\nnode "%~dp0\\node_modules\\openclaw\\openclaw.mjs" %*\r\n')
    host.installs["root"] = r"C:\users\root\.openclaw"
    host.task_file = r"C:\windows\system32\Tasks\OpenClaw Gateway"
    host.startup_item = wine.win(startup / "OpenClaw Gateway.cmd")
    host.canaries.update(_secrets(lan))
    # 4. alice: the legacy clawdbot tree, registered with another letter case than the disk shows.
    legacy = OPENCLAW_FIXTURES / "legacy-clawdbot"
    _copy_tree(legacy / "home/.clawdbot", users / "alice/.clawdbot")
    host.installs["alice"] = r"C:\users\alice\.clawdbot"
    host.canaries.update(_secrets(legacy))
    # 5. 张三: GBK gateway.cmd as OpenClaw writes it on a zh-CN host.
    cjk = users / CJK_USER / ".openclaw"
    cjk.mkdir(parents=True)
    (cjk / "openclaw.json").write_text(
        f'{{ gateway: {{ port: 18790, bind: "loopback", auth: {{ mode: "token", token: "{CJK_CONFIG_TOKEN}" }} }} }}\n',
        encoding="utf-8")
    zh = ARTEFACTS / "zh-CN"
    shutil.copyfile(zh / "gateway.cmd", cjk / "gateway.cmd")
    shutil.copyfile(zh / "gateway.vbs", cjk / "gateway.vbs")
    host.installs[CJK_USER] = rf"C:\users\{CJK_USER}\.openclaw"
    host.canaries["zh-CN:config_token"] = CJK_CONFIG_TOKEN
    # 6. bob: on disk only.
    loop = OPENCLAW_FIXTURES / "v2026.9.6-loopback"
    _copy_tree(loop / "home/.openclaw", users / "bob/.openclaw")
    host.installs["bob"] = r"C:\users\bob\.openclaw"
    host.canaries.update(_secrets(loop))
    for profile in ("en-US", "zh-CN"):
        meta = (ARTEFACTS / "RECIPE.md").read_text(encoding="utf-8")
        for line in meta.splitlines():
            if line.startswith(f"| {profile} | `"):
                host.canaries[f"{profile}:gateway_cmd_token"] = line.split("`")[1]
    # 7. ProfileList.
    _import_registry(wine, {"S-1-5-21-0-0-0-1001": r"C:\Users\alice",
                            "S-1-5-21-0-0-0-1002": rf"C:\Users\{CJK_USER}"})
    return host


def main() -> int:
    host = build(WinePython.find())
    print(json.dumps({"drive_c": str(host.drive_c), "installs": host.installs, "task_file": host.task_file,
                      "startup_item": host.startup_item, "canaries": sorted(host.canaries)}, ensure_ascii=False,
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""identify_process: both shapes of OpenClaw processes, legacy names, and no false positives."""

from __future__ import annotations

import pytest

from sensor.openclaw.identity import AgentIdentity, identify_process

NODE = "/home/u/.nvm/versions/node/v24.21.0/bin/node"
PKG = "/usr/local/lib/node_modules/openclaw"


@pytest.mark.parametrize(
    ("name", "exe", "cmdline", "expected"),
    [
        # retitled gateway: cmdline padded with spaces, comm truncated to 15 chars
        ("openclaw-gatewa", NODE, ["openclaw-gateway" + " " * 60], ("openclaw", "gateway")),
        ("openclaw-gatewa", NODE, ["openclaw-gateway", "", "", ""], ("openclaw", "gateway")),
        ("openclaw-gatewa", None, ["openclaw-gateway"], ("openclaw", "gateway")),
        ("openclaw-gatewa", "/usr/bin/bun", ["openclaw-gateway   "], ("openclaw", "gateway")),
        ("openclaw", NODE, ["openclaw"], ("openclaw", "cli")),
        ("openclaw-triage", NODE, ["openclaw-triage"], ("openclaw", "triage")),
        ("openclaw-node", NODE, ["openclaw-node"], ("openclaw", "node")),
        ("openclaw-node-w", NODE, ["openclaw-node-worker"], ("openclaw", "node-worker")),
        ("clawdbot-gatewa", NODE, ["clawdbot-gateway"], ("clawdbot", "gateway")),
        ("clawdbot", NODE, ["clawdbot"], ("clawdbot", "cli")),
        ("moltbot-gateway", NODE, ["moltbot-gateway"], ("moltbot", "gateway")),
        # exec shapes
        (
            "node",
            NODE,
            ["node", f"{PKG}/openclaw.mjs", "gateway", "--port", "18789"],
            ("openclaw", "gateway"),
        ),
        ("node", NODE, ["node", f"{PKG}/openclaw.mjs", "gateway", "run"], ("openclaw", "gateway")),
        ("node", NODE, ["node", "/usr/local/bin/openclaw", "gateway"], ("openclaw", "gateway")),
        ("node", NODE, [NODE, f"{PKG}/dist/index.js", "gateway", "--port", "18789"], ("openclaw", "gateway")),
        ("node", NODE, [NODE, f"{PKG}/dist/entry.js", "onboard"], ("openclaw", "cli")),
        ("node", NODE, ["node", f"{PKG}/openclaw.mjs", "gateway", "status"], ("openclaw", "cli")),
        (
            "node",
            NODE,
            ["node", f"{PKG}/openclaw.mjs", "--profile", "dev", "gateway"],
            ("openclaw", "gateway"),
        ),
        (
            "node",
            NODE,
            ["node", "--no-warnings", "-r", "x.js", f"{PKG}/openclaw.mjs", "node", "run"],
            ("openclaw", "node"),
        ),
        (
            "bun",
            "/home/u/.bun/bin/bun",
            ["bun", "run", f"{PKG}/openclaw.mjs", "gateway"],
            ("openclaw", "gateway"),
        ),
        ("node", NODE, ["node", "/home/u/openclaw/dist/index.js", "gateway"], ("openclaw", "gateway")),
        (
            "node",
            NODE,
            ["node", "/usr/lib/node_modules/clawdbot/dist/entry.js", "gateway"],
            ("clawdbot", "gateway"),
        ),
        (
            "node.exe",
            r"C:\Program Files\nodejs\node.exe",
            [
                r"C:\Program Files\nodejs\node.exe",
                r"C:\Users\u\AppData\Roaming\npm\node_modules\openclaw\dist\index.js",
                "gateway",
                "--port",
                "18789",
            ],
            ("openclaw", "gateway"),
        ),
        # helper workers
        ("MainThread", NODE, ["node", f"{PKG}/dist/process/spawn-broker/worker.js"], ("openclaw", "worker")),
        (
            "MainThread",
            NODE,
            [
                "node",
                f"{PKG}/dist/infra/sqlite-readonly-location.worker.js",
                "--openclaw-sqlite-readonly-child",
                "session",
            ],
            ("openclaw", "worker"),
        ),
        # shell wrapper (install.sh git method: ~/.local/bin/openclaw)
        (
            "openclaw",
            "/usr/bin/bash",
            ["/bin/bash", "/home/u/.local/bin/openclaw", "gateway"],
            ("openclaw", "gateway"),
        ),
        # Gmail watcher spawned by the gateway
        (
            "gog",
            "/usr/local/bin/gog",
            [
                "gog",
                "gmail",
                "watch",
                "serve",
                "--account",
                "a@b.c",
                "--token",
                "T",
                "--hook-url",
                "http://127.0.0.1:18789/hooks/gmail",
                "--hook-token",
                "H",
            ],
            ("openclaw", "gmail-watcher"),
        ),
        # macOS app
        (
            "OpenClaw",
            "/Applications/OpenClaw.app/Contents/MacOS/OpenClaw",
            ["/Applications/OpenClaw.app/Contents/MacOS/OpenClaw"],
            ("openclaw", "app"),
        ),
    ],
)
def test_identifies(name: str, exe: str | None, cmdline: list[str], expected: tuple[str, str]) -> None:
    assert identify_process(name, exe, cmdline) == AgentIdentity(*expected)


@pytest.mark.parametrize(
    ("name", "exe", "cmdline"),
    [
        ("vim", "/usr/bin/vim", ["vim", "/home/u/.openclaw/openclaw.json"]),
        ("grep", "/usr/bin/grep", ["grep", "-r", "openclaw", "."]),
        ("tail", "/usr/bin/tail", ["tail", "-f", "/tmp/openclaw/openclaw-2026-11-22.log"]),
        ("npm", NODE, ["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "install", "-g", "openclaw"]),
        ("node", NODE, ["node", "server.js", "openclaw-gateway"]),
        ("node", NODE, ["node", "/home/u/src/my-openclaw-tools/dist/index.js", "gateway"]),
        ("node", NODE, ["node"]),
        ("python3", "/usr/bin/python3.11", ["python3", "openclaw.py", "gateway"]),
        ("cat", "/usr/bin/cat", ["cat", "/home/u/.openclaw/openclaw.json"]),
        # a non-JS binary that merely calls itself openclaw-gateway is not the agent
        ("openclaw-gatewa", "/usr/local/bin/some-go-binary", ["openclaw-gateway"]),
        ("bash", "/usr/bin/bash", ["bash", "-c", "openclaw gateway status"]),
        ("gog", "/usr/local/bin/gog", ["gog", "gmail", "search", "in:inbox"]),
        ("gog", "/usr/local/bin/gog", ["gog", "gmail", "watch", "serve", "--hook-url", "http://x/other"]),
        ("", None, []),
    ],
)
def test_rejects(name: str, exe: str | None, cmdline: list[str]) -> None:
    assert identify_process(name, exe, cmdline) is None

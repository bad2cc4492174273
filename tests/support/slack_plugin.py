"""The `@openclaw/slack` plugin for harness hosts, without registry traffic per test.

OpenClaw 2026.9.6 accepts `channels.slack` in the config without the plugin (`config validate`
passes), but at gateway start it then tries to *install* the missing plugin from the npm registry
("Failed to install missing configured plugin slack") and starts without Slack ("no-channel-owner").
So a real Slack grant needs the plugin installed in the host's state dir
(`npm/projects/openclaw-slack-<hash>/` + the install record in `state/openclaw.sqlite`
`config_machine_state` key `plugins.installedIndex`, both written by `openclaw plugins install`).

How: once per install root, `openclaw plugins install @openclaw/slack` runs online in a throwaway
HOME with a dedicated npm cache (<root>/npm-cache, serialised by a lock; ~20-45 s; the only step that
needs the registry). Each host then runs the same real command with `npm_config_offline=true` against
that cache (~15-30 s, loopback only).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.openclaw_install import OpenClawUnavailable, node_bin_dir, openclaw_bin

if TYPE_CHECKING:
    from tests.support.openclaw_host import OpenClawHost

PLUGIN_SPEC = "@openclaw/slack"
# Outer-environment variables npm needs to reach the registry through a TLS-inspecting proxy.
_PASS_THROUGH = ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY",
                 "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "npm_config_registry")


def npm_cache_dir(root: Path) -> Path:
    return root / "npm-cache"


def ensure_slack_cache(root: Path, timeout: float = 600) -> Path:
    """Fill <root>/npm-cache with the Slack plugin and its dependencies (once; needs the registry)."""
    cache = npm_cache_dir(root)
    stamp = root / ".slack-plugin-cached"
    cache.mkdir(parents=True, exist_ok=True)
    with (root / ".slack-plugin.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists():
            return cache
        home = Path(tempfile.mkdtemp(prefix="oc-slack-template-"))
        env = {k: os.environ[k] for k in _PASS_THROUGH if k in os.environ}
        env.update({"HOME": str(home), "OPENCLAW_OFFLINE": "1", "npm_config_cache": str(cache),
                    "PATH": f"{root / 'global' / 'bin'}:{node_bin_dir(root)}:/usr/bin:/bin"})
        if Path("/etc/ssl/certs/ca-certificates.crt").is_file():
            env["npm_config_cafile"] = "/etc/ssl/certs/ca-certificates.crt"
        try:
            done = subprocess.run([str(openclaw_bin(root)), "plugins", "install", PLUGIN_SPEC], env=env,
                                  cwd=home, capture_output=True, text=True, timeout=timeout, check=False)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        if done.returncode != 0:
            raise OpenClawUnavailable(f"openclaw plugins install {PLUGIN_SPEC} failed (needs the npm "
                                      f"registry once): {(done.stderr or done.stdout)[-1500:]}")
        stamp.write_text("ok\n")
    return cache


def install_slack_plugin(host: OpenClawHost) -> bool:
    """Install the Slack plugin into host.state_dir from the shared cache, offline. True on success."""
    ensure_slack_cache(host.root)
    host.cli("plugins", "install", PLUGIN_SPEC, timeout=300)
    return True

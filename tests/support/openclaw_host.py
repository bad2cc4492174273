"""Run a real OpenClaw gateway under a scratch HOME, for end-to-end tests.

Quick use (pytest; fixtures live in tests/support/fixtures.py and are active under tests/e2e/)::

    def test_something(openclaw_host):                  # factory fixture, function scoped
        host = openclaw_host(bind="lan", grants=Grants.risky())   # onboarded, patched, started
        host.port, host.gateway_pid, host.home, host.state_dir, host.config_path
        run = host.run_agent_exec("cat ~/.ssh/id_ed25519 >/dev/null; sleep 5")
        run.exec_chain      # snapshots of gateway -> spawn-broker -> bash -c ... -> children
        host.secrets        # every fake secret value planted, for canary tests
    # teardown stops everything the host started, by PID

Without pytest::

    with OpenClawHost(Path(tmp), bind="loopback") as host:
        host.onboard(); host.apply_grants(); host.start_gateway()
        ...                     # host.stop() runs on exit

API
- ``openclaw_root(version)`` (tests/support/openclaw_install.py): install root of the real package;
  env CLAWWATCH_OPENCLAW_ROOT or scripts/install-openclaw.sh. Raises ``OpenClawUnavailable``.
- ``Grants``: which risky grants ``apply_grants()`` writes. ``Grants()`` = none, ``Grants.risky()``
  = exec host=gateway mode=full + sandbox off, elevated ``*``, fs.workspaceOnly false, browser
  evaluate, Control UI origins ``*``, Gmail hook (fake ``gog`` on PATH); ``Grants.everything()`` adds
  Telegram and Slack (fake tokens). Slack needs the ``@openclaw/slack`` plugin, installed for real
  per host from a shared offline npm cache (slack_plugin.py; adds 30-200 s). Telegram makes
  ``stop()`` wait the whole TERM budget, then SIGKILL.
- ``OpenClawHost(workdir, bind="loopback"|"lan", grants=Grants(), profile=None,
  state_dir_override=None, version="2026.9.6", mock_model=True, secret_suffix=None, root=None,
  port=None)``  (secret_suffix makes the fake secrets deterministic; root/port override the lookups)
  - paths: ``home`` (scratch HOME = workdir/home), ``run_dir`` (``gateway_log``, ``gog_log``, fake
    bins, mock model), ``state_dir`` (``~/.openclaw``, ``~/.openclaw-<profile>`` or the override),
    ``config_path``, ``tmp_dir`` (TMPDIR of every OpenClaw process: node caches, terminal staging,
    the 2026.2.x gateway lock; OpenClaw's log /tmp/openclaw/ and /tmp/openclaw-state-locks-<uid>/
    ignore TMPDIR and are shared with every other gateway on the machine)
  - ``port`` (free block of 4 chosen at construction), ``mock_port``, ``env()`` (the exact
    environment OpenClaw commands get: clean, no inherited OPENCLAW_*/proxy vars), ``cli(*args)``
  - ``onboard()`` real non-interactive onboarding (fake Anthropic key, token auth, loopback, port)
  - ``apply_grants()`` ``openclaw config patch`` with bind, grants and the mock model provider
  - ``plant_secret_files()`` ~/.ssh/id_ed25519, ~/.aws/credentials, gogcli credentials (canaries)
  - ``start_gateway(timeout=300, attempts=2)`` starts the mock model + ``openclaw gateway run
    --port P`` (again if it exits during start-up: ``start_failures``);
    returns once the gateway PID listens on P and ``/health`` says live (2026.2.x, which has no
    /health, once HTTP answers with the Control UI); sets ``gateway_pid``,
    ``startup_seconds``; raises ``GatewayStartError`` with the log tail on failure
  - ``run_agent_exec(command, timeout=300)`` one agent turn in which the mock model makes the
    agent call the ``exec`` tool with ``command``; returns ``AgentRun`` (returncode, stdout,
    exec_chain snapshots, client snapshot, seconds)
  - ``health(timeout=3)`` GET /health over loopback (``{}`` when not answering)
  - ``outbound``: non-loopback connections any of its processes opened (sampled at 1 Hz; the env
    points proxies at a dead loopback port so there should be none)
  - ``processes()`` live gateway + descendants; ``stop(term_timeout=10)`` SIGTERM the gateway by
    PID, SIGKILL after the bound, then TERM/KILL every descendant it recorded (only processes it
    started, matched by PID + start time), and the mock model
  - ``secrets``: name -> fake value for every secret planted (all contain ``FAKE``)
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets as pysecrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

from tests.support.openclaw_install import DEFAULT_VERSION, node_bin_dir, openclaw_bin, openclaw_root
from tests.support.ports import free_port_block
from tests.support.proc_snapshot import descendants, listeners, snapshot

MOCKLLM = Path(__file__).with_name("mockllm.py")

FAKE_GOG = """#!/bin/bash
# Fake gogcli: records how OpenClaw invokes it (argv only), then idles like `gog gmail watch serve`.
echo "$(date -u +%FT%TZ) pid=$$ ppid=$PPID args: $*" >> {log}
if [ "$1 $2 $3" = "gmail watch serve" ]; then while true; do sleep 5; done; fi
echo '{{}}'
"""


_DEAD_PROXY = "http://127.0.0.1:9"  # discard port, nothing listens: proxied requests fail at once
_NO_PROXY = "127.0.0.1,localhost,::1"


class GatewayStartError(RuntimeError):
    """The gateway exited or did not listen in time; the message carries the log tail."""


class _GatewayExited(GatewayStartError):
    """The gateway process ended during start-up (retried by start_gateway)."""


@dataclass(frozen=True)
class Grants:
    """Risky grants written by OpenClawHost.apply_grants() (each maps to real config keys)."""

    exec_full: bool = False            # tools.exec.host=gateway, mode=full; sandbox.mode=off
    elevated_wildcard: bool = False    # tools.elevated.enabled + allowFrom.<ch>: ["*"]
    fs_unrestricted: bool = False      # tools.fs.workspaceOnly=false
    browser_evaluate: bool = False     # browser.enabled + browser.evaluateEnabled
    control_ui_wildcard: bool = False  # gateway.controlUi.allowedOrigins=["*"] + trustedProxies
    gmail_hook: bool = False           # hooks.enabled + gmail preset (gog gmail watch serve spawned)
    telegram: bool = False             # channels.telegram with a fake bot token, dmPolicy open
    slack: bool = False                # channels.slack socket mode, fake xoxb/xapp tokens (plugin)

    @classmethod
    def risky(cls) -> Grants:
        """Everything that starts fast and stops cleanly (no Telegram/Slack network retries)."""
        return cls(exec_full=True, elevated_wildcard=True, fs_unrestricted=True, browser_evaluate=True,
                   control_ui_wildcard=True, gmail_hook=True)

    @classmethod
    def everything(cls) -> Grants:
        return replace(cls.risky(), telegram=True, slack=True)


@dataclass
class AgentRun:
    """Result of run_agent_exec()."""

    command: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    exec_chain: list[dict[str, Any]] = field(default_factory=list)  # gateway..shell..children
    client: dict[str, Any] | None = None                            # the `openclaw agent` process

    @property
    def shell(self) -> dict[str, Any] | None:
        """The exec tool's shell running `command` (env OPENCLAW_SHELL=exec), if it was seen.

        Not simply the first OPENCLAW_SHELL=exec process: before the first exec a gateway may
        probe the login shell's PATH (`bash -i -c` -> `node -e ...`), also marked exec."""
        marked = [p for p in self.exec_chain if (p.get("environ") or {}).get("OPENCLAW_SHELL") == "exec"]
        for proc in marked:
            if self.command in " ".join(proc.get("cmdline") or []):
                return proc
        for proc in marked:  # the command was re-quoted inside `eval '...'`
            if "--noprofile" in (proc.get("cmdline") or []):
                return proc
        return None


def _deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _grants_patch(grants: Grants, bind: str, secrets: dict[str, str], mock_port: int | None,
                  slack_available: bool, *, legacy_exec: bool = False) -> dict[str, Any]:
    """The config patch for these grants. legacy_exec: 2026.2-era keys (security/ask, no mode)."""
    patch: dict[str, Any] = {"gateway": {"bind": bind}}
    tools: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    allow_from: dict[str, list[str]] = {}
    if grants.exec_full:
        tools["exec"] = ({"host": "gateway", "security": "full", "ask": "off"} if legacy_exec
                         else {"host": "gateway", "mode": "full"})
        patch.setdefault("agents", {}).setdefault("defaults", {})["sandbox"] = {"mode": "off"}
    if grants.fs_unrestricted:
        tools["fs"] = {"workspaceOnly": False}
    if grants.browser_evaluate:
        patch["browser"] = {"enabled": True, "evaluateEnabled": True}
    if grants.control_ui_wildcard:
        patch["gateway"].update({"trustedProxies": ["10.0.0.1"], "controlUi": {"allowedOrigins": ["*"]}})
    if grants.telegram:
        channels["telegram"] = {"enabled": True, "botToken": secrets["telegram_bot_token"],
                                "dmPolicy": "open", "allowFrom": ["*"]}
        allow_from["telegram"] = ["*"]
    if grants.slack and slack_available:
        channels["slack"] = {"enabled": True, "mode": "socket", "botToken": secrets["slack_bot_token"],
                             "appToken": secrets["slack_app_token"], "dmPolicy": "open",
                             "allowFrom": ["*"], "groupPolicy": "open"}
        allow_from["slack"] = ["*"]
    if grants.elevated_wildcard:
        tools["elevated"] = {"enabled": True, "allowFrom": allow_from or {"webchat": ["*"]}}
    if grants.gmail_hook:
        patch["hooks"] = {
            "enabled": True, "token": secrets["hook_token"], "path": "/hooks", "presets": ["gmail"],
            "allowRequestSessionKey": True, "allowedSessionKeyPrefixes": ["hook:gmail:"],
            "defaultSessionKey": "hook:gmail:default", "allowedAgentIds": ["main"],
            "gmail": {"account": "employee@example.com", "topic": "projects/acme-corp/topics/gog-gmail-watch",
                      "subscription": "gog-gmail-watch-push", "pushToken": secrets["gmail_push_token"]},
        }
    if tools:
        patch["tools"] = {"profile": "full", **tools}
    if channels:
        patch["channels"] = channels
    if mock_port is not None:
        model = {"id": "mock-1", "name": "Mock 1", "reasoning": False, "input": ["text"],
                 "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                 "contextWindow": 128000, "maxTokens": 4096}
        patch["models"] = {"providers": {"mock": {
            "baseUrl": f"http://127.0.0.1:{mock_port}/v1", "apiKey": secrets["mock_model_api_key"],
            "api": "openai-completions", "models": [model]}}}
        defaults = patch.setdefault("agents", {}).setdefault("defaults", {})
        defaults["model"] = {"primary": "mock/mock-1"}
        defaults["models"] = {"mock/mock-1": {}}
    return patch


def _make_secrets(suffix: str) -> dict[str, str]:
    hexpad = (suffix * 8)[:32]
    return {
        "anthropic_api_key": f"sk-ant-api03-FAKE-clawwatch-{hexpad}",
        "gateway_token": f"FAKE-clawwatch-gateway-token-{hexpad}",
        "hook_token": f"FAKE-clawwatch-hook-token-{hexpad}",
        "gmail_push_token": f"FAKE-clawwatch-push-token-{hexpad[:16]}",
        "slack_bot_token": f"xoxb-000000000000-0000000000000-FAKE{hexpad[:20]}",
        "slack_app_token": f"xapp-1-A000000000-0000000000000-FAKE{hexpad}",
        "telegram_bot_token": f"123456789:AAFAKE{hexpad}",
        "mock_model_api_key": f"FAKE-clawwatch-mock-model-key-{hexpad[:16]}",
    }


class OpenClawHost:
    """One real OpenClaw install state + gateway under a scratch HOME (see module docstring)."""

    def __init__(self, workdir: Path, *, bind: str = "loopback", grants: Grants | None = None,
                 profile: str | None = None, state_dir_override: Path | None = None,
                 version: str = DEFAULT_VERSION, mock_model: bool = True,
                 secret_suffix: str | None = None, root: Path | None = None,
                 port: int | None = None) -> None:
        if bind not in {"loopback", "lan"}:
            raise ValueError(f"bind must be 'loopback' or 'lan', not {bind!r}")
        self.workdir = workdir.resolve()
        self.bind = bind
        self.grants = grants or Grants()
        self.profile = profile
        self.version = version
        self.root = root or openclaw_root(version)
        self.home = self.workdir / "home"
        self.run_dir = self.workdir / "run"
        self.tmp_dir = self.workdir / "tmp"
        if state_dir_override is not None:
            self.state_dir = state_dir_override.resolve()
        else:
            self.state_dir = self.home / (f".openclaw-{profile}" if profile else ".openclaw")
        self.config_path = self.state_dir / "openclaw.json"
        self.state_dir_override = state_dir_override
        self.port = port or free_port_block(4)
        self.mock_port: int | None = free_port_block(1) if mock_model else None
        self.secrets = _make_secrets(secret_suffix or pysecrets.token_hex(16))
        self.gateway_pid: int | None = None
        self.startup_seconds: float | None = None
        self.slack_available = False
        self._launcher: subprocess.Popen[bytes] | None = None
        self._mock: subprocess.Popen[bytes] | None = None
        self._tracked: dict[int, psutil.Process] = {}
        self.outbound: list[dict[str, Any]] = []  # non-loopback connections seen (tracker, 1 Hz)
        self.start_failures: list[str] = []  # start-up attempts that exited (see start_gateway)
        self._track_stop = threading.Event()
        self._tracker: threading.Thread | None = None
        for d in (self.home, self.run_dir, self.tmp_dir, self.run_dir / "fakebin"):
            d.mkdir(parents=True, exist_ok=True)
        self._write_fake_gog()

    # ---- environment -------------------------------------------------------------------------
    @property
    def gateway_log(self) -> Path:
        return self.run_dir / "gateway.log"

    @property
    def gog_log(self) -> Path:
        return self.run_dir / "fake-gog.log"

    def env(self) -> dict[str, str]:
        """The environment every OpenClaw command of this host runs with (clean, not inherited)."""
        path = [str(self.run_dir / "fakebin"), str(self.root / "global" / "bin"),
                str(node_bin_dir(self.root)),
                "/usr/local/bin", "/usr/bin", "/bin"]
        env = {"HOME": str(self.home), "PATH": ":".join(path), "TMPDIR": str(self.tmp_dir),
               "LANG": "C.UTF-8", "OPENCLAW_OFFLINE": "1", "NO_COLOR": "1", "TERM": "dumb",
               "SHELL": "/bin/bash", "USER": os.environ.get("USER", "root"),
               # (no NODE_COMPILE_CACHE: with it set, 2026.9.6 respawns itself
               # (OPENCLAW_PACKAGED_COMPILE_CACHE_RESPAWNED) and the process tree gains a launcher)
               # OpenClaw runs npm (plugin repair/installs); never let it reach the registry from a
               # test: offline, against the shared cache filled by slack_plugin.ensure_slack_cache.
               "npm_config_offline": "true", "npm_config_cache": str(self.root / "npm-cache"),
               "npm_config_update_notifier": "false",
               # Nothing but loopback: HTTP(S) clients that honour proxy variables (npm, axios,
               # Node fetch with NODE_USE_ENV_PROXY) get a closed loopback port instead of the net.
               "HTTPS_PROXY": _DEAD_PROXY, "HTTP_PROXY": _DEAD_PROXY, "https_proxy": _DEAD_PROXY,
               "http_proxy": _DEAD_PROXY, "NO_PROXY": _NO_PROXY, "no_proxy": _NO_PROXY,
               "NODE_USE_ENV_PROXY": "1"}
        if self.state_dir_override is not None:
            env["OPENCLAW_STATE_DIR"] = str(self.state_dir)
        return env

    def _argv(self, *args: str) -> list[str]:
        profile = ["--profile", self.profile] if self.profile else []
        return [str(openclaw_bin(self.root)), *profile, *args]

    def cli(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `openclaw [--profile p] <args>` with env() in HOME; raises on failure if check."""
        # No respawn for helper commands: the 2026.2.26 CLI re-execs itself to add node flags and that
        # wrapper was seen to deadlock (futex wait, no child) under load. The gateway keeps it.
        env = {**self.env(), "OPENCLAW_NO_RESPAWN": "1"}
        done = subprocess.run(self._argv(*args), env=env, cwd=self.home, capture_output=True,
                              text=True, timeout=timeout, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"openclaw {' '.join(args[:2])} exited {done.returncode}: "
                               f"{(done.stderr or done.stdout)[-2000:]}")
        return done

    def _write_fake_gog(self) -> None:
        gog = self.run_dir / "fakebin" / "gog"
        gog.write_text(FAKE_GOG.format(log=self.gog_log))
        gog.chmod(0o755)

    # ---- setup -------------------------------------------------------------------------------
    def onboard(self) -> None:
        """Real non-interactive onboarding: fake Anthropic key, token auth, loopback bind, our port."""
        help_text = self.cli("onboard", "--help").stdout
        skips = [f for f in ("--skip-daemon", "--skip-channels", "--skip-health", "--skip-skills",
                             "--skip-search", "--skip-ui", "--skip-hooks") if f in help_text]
        self.cli("onboard", "--non-interactive", "--accept-risk", "--mode", "local", "--flow", "quickstart",
                 "--auth-choice", "apiKey", "--anthropic-api-key", self.secrets["anthropic_api_key"],
                 "--gateway-auth", "token", "--gateway-token", self.secrets["gateway_token"],
                 "--gateway-bind", "loopback", "--gateway-port", str(self.port), *skips, "--json")

    def apply_grants(self) -> dict[str, Any]:
        """`openclaw config patch` with bind + grants (+ mock model provider); returns the patch."""
        if self.grants.slack:
            from tests.support.slack_plugin import install_slack_plugin

            self.slack_available = install_slack_plugin(self)
        patch = _grants_patch(self.grants, self.bind, self.secrets, self.mock_port, self.slack_available,
                              legacy_exec=self.version.startswith("2026.2."))
        patch_file = self.run_dir / "grants.json5"
        patch_file.write_text(json.dumps(patch, indent=2))
        if "patch" in self.cli("config", "--help").stdout:
            self.cli("config", "patch", "--file", str(patch_file))
        else:  # 2026.2.x has no `config patch`: merge like a hand edit (the file is plain JSON then)
            config = json.loads(self.config_path.read_text())
            self.config_path.write_text(json.dumps(_deep_merge(config, patch), indent=2) + "\n")
        return patch

    def plant_secret_files(self) -> dict[str, Path]:
        """Canary credential files in the scratch HOME (never the real user's); returns name -> path."""
        canary = self.secrets["gateway_token"][-16:]
        files = {
            "ssh_key_canary": (self.home / ".ssh" / "id_ed25519",
                               "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-clawwatch-ssh-canary-{v}\n"
                               "-----END OPENSSH PRIVATE KEY-----\n"),
            "aws_secret_canary": (self.home / ".aws" / "credentials",
                                  "[default]\naws_access_key_id = AKIAFAKECLAWWATCH000\n"
                                  "aws_secret_access_key = FAKE-clawwatch-aws-canary-{v}\n"),
            "gog_client_secret_canary": (self.home / ".local" / "share" / "gogcli" / "credentials.json",
                                         '{{"installed":{{"client_id":"000-fake.apps.googleusercontent.com",'
                                         '"client_secret":"FAKE-clawwatch-gog-canary-{v}"}}}}\n'),
        }
        planted = {}
        for name, (path, template) in files.items():
            value = f"FAKE-clawwatch-{name.split('_')[0]}-canary-{canary}"
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_text(template.format(v=canary))
            path.chmod(0o600)
            self.secrets[name] = value
            planted[name] = path
        return planted

    # ---- gateway lifecycle -------------------------------------------------------------------
    def start_gateway(self, timeout: float = 300, attempts: int = 2) -> int:
        """Start mock model + gateway; return the gateway PID once it listens and /health is live.

        A gateway that *exits* during start-up is started again (up to `attempts` in all, within
        `timeout`): on a crowded machine 2026.9.6 was seen to give up by itself ("state lease
        heartbeat did not become ready ... timeoutMs=5000") and launch `openclaw-triage`. Each such
        failure (log tail) is kept in `start_failures`; its processes are stopped first.
        """
        if not self.config_path.exists():
            raise RuntimeError(f"{self.config_path} missing: call onboard() (and apply_grants()) first")
        if self.mock_port is not None and self._mock is None:
            (self.run_dir / "mock-command.txt").write_text("id; sleep 8; echo done")
            self._mock = subprocess.Popen(
                [sys.executable, str(MOCKLLM), "--port", str(self.mock_port),
                 "--command-file", str(self.run_dir / "mock-command.txt"),
                 "--log", str(self.run_dir / "mockllm.log")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.monotonic()
        deadline = t0 + timeout
        for attempt in range(1, attempts + 1):
            try:
                owner = self._start_once(deadline)
            except _GatewayExited as exc:
                self.start_failures.append(str(exc))
                self._track_tree()
                self._adopt_orphans()
                _terminate([p for p in self._tracked.values() if p.pid != os.getpid()], 5.0)
                if attempt == attempts or time.monotonic() >= deadline:
                    raise GatewayStartError("; ".join(self.start_failures)) from exc
                continue
            self.startup_seconds = round(time.monotonic() - t0, 2)
            return owner
        raise AssertionError("unreachable")

    def _start_once(self, deadline: float) -> int:
        with self.gateway_log.open("ab") as log:
            self._launcher = subprocess.Popen(self._argv("gateway", "run", "--port", str(self.port)),
                                              env=self.env(), cwd=self.home, stdin=subprocess.DEVNULL,
                                              stdout=log, stderr=subprocess.STDOUT)
        self._track(self._launcher.pid)
        self._start_tracker()
        while time.monotonic() < deadline:
            if self._launcher.poll() is not None:
                code = self._launcher.returncode
                raise _GatewayExited(f"gateway exited with {code}:\n{self.log_tail()}")
            owner = self._listener_owner()
            if owner is not None:
                self.gateway_pid = owner
                break
            time.sleep(0.2)
        else:
            raise GatewayStartError(f"gateway not listening on {self.port} in time:\n{self.log_tail()}")
        while time.monotonic() < deadline:
            if self._health_probe() in {"live", "no-endpoint"}:
                return owner
            if self._launcher.poll() is not None:
                raise _GatewayExited(f"gateway exited with {self._launcher.returncode}:\n{self.log_tail()}")
            time.sleep(0.2)
        raise GatewayStartError(f"/health not live in time:\n{self.log_tail()}")

    def _listener_owner(self) -> int | None:
        assert self._launcher is not None
        for pid in [self._launcher.pid, *(p.pid for p in descendants(self._launcher.pid))]:
            if any(s["port"] == self.port for s in listeners(pid)):
                return pid
        return None

    def health(self, timeout: float = 3) -> dict[str, Any]:
        """GET /health over loopback ({} when not answering)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"http://127.0.0.1:{self.port}/health", timeout=timeout) as resp:
                data = json.loads(resp.read() or b"{}")
                return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _health_probe(self) -> str:
        """'live' (2026.9.x /health JSON), 'no-endpoint' (HTTP answers with the Control UI page:
        2026.2.x has no /health), or 'down'."""
        if self.health().get("status") == "live":
            return "live"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"http://127.0.0.1:{self.port}/health", timeout=3) as resp:
                page = resp.read(4096)
        except OSError:
            return "down"
        return "no-endpoint" if b"<title>OpenClaw Control</title>" in page else "down"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.gateway_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no gateway log)"

    def processes(self) -> list[psutil.Process]:
        """The live launcher/gateway and all its descendants."""
        if self._launcher is None:
            return []
        procs = [psutil.Process(self._launcher.pid)] if psutil.pid_exists(self._launcher.pid) else []
        return procs + descendants(self._launcher.pid)

    def _track(self, pid: int) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            if pid not in self._tracked:
                self._tracked[pid] = psutil.Process(pid)

    def _track_tree(self) -> None:
        if self._launcher is not None:
            for proc in descendants(self._launcher.pid):
                self._tracked.setdefault(proc.pid, proc)

    def _record_outbound(self) -> None:
        """Remember every non-loopback remote endpoint our processes connect to (should be none)."""
        for proc in list(self._tracked.values()):
            try:
                conns = proc.net_connections(kind="inet")
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            for conn in conns:
                if conn.raddr and not ipaddress.ip_address(conn.raddr.ip.split("%")[0]).is_loopback:
                    entry = {"pid": proc.pid, "remote": f"{conn.raddr.ip}:{conn.raddr.port}",
                             "status": conn.status}
                    if entry not in self.outbound:
                        self.outbound.append(entry)

    def _adopt_orphans(self) -> None:
        """Track processes whose HOME is our scratch HOME but that left the tree (e.g. an
        `openclaw-triage` or `gog` reparented to init when the gateway died between tracker
        samples). The scratch HOME is unique to this host, so these are processes it started."""
        for proc in psutil.process_iter():
            if proc.pid in self._tracked or proc.pid == os.getpid():
                continue
            with contextlib.suppress(psutil.Error):
                if proc.environ().get("HOME") == str(self.home):
                    self._tracked[proc.pid] = proc

    def _start_tracker(self) -> None:
        if self._tracker is not None:
            return

        def loop() -> None:
            while not self._track_stop.wait(1.0):
                self._track_tree()
                self._record_outbound()

        self._tracker = threading.Thread(target=loop, name=f"openclaw-host-{self.port}", daemon=True)
        self._tracker.start()

    # ---- agent -------------------------------------------------------------------------------
    def run_agent_exec(self, command: str, timeout: float = 300,
                       message: str = "run the health check") -> AgentRun:
        """One agent turn; the mock model makes the agent run `command` with the exec tool."""
        if self.mock_port is None or self.gateway_pid is None:
            raise RuntimeError("run_agent_exec needs mock_model=True and a started gateway")
        (self.run_dir / "mock-command.txt").write_text(command)
        session = f"agent:main:harness-{uuid.uuid4().hex[:8]}"
        t0 = time.monotonic()
        client = subprocess.Popen(
            self._argv("agent", "--agent", "main", "--session-key", session, "-m", message, "--json"),
            env=self.env(), cwd=self.home, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        seen: dict[int, dict[str, Any]] = {}
        client_snap: dict[str, Any] | None = None
        out: list[bytes] = []
        err: list[bytes] = []
        readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(stream, buf), daemon=True)
                   for stream, buf in ((client.stdout, out), (client.stderr, err))]
        for r in readers:
            r.start()
        while client.poll() is None and time.monotonic() - t0 < timeout:
            if client_snap is None:
                with contextlib.suppress(psutil.NoSuchProcess):
                    client_snap = snapshot(psutil.Process(client.pid))
            self._record_exec_chain(seen)
            time.sleep(0.15)
        if client.poll() is None:  # timed out: end the client and the node processes it spawned
            with contextlib.suppress(psutil.NoSuchProcess):
                tree = [psutil.Process(client.pid), *descendants(client.pid)]
                _terminate(tree, 3.0)
        client.wait()
        for r in readers:
            r.join(5)
        return AgentRun(command=command, returncode=client.returncode,
                        stdout=b"".join(out).decode(errors="replace"),
                        stderr=b"".join(err).decode(errors="replace"),
                        seconds=round(time.monotonic() - t0, 2),
                        exec_chain=sorted(seen.values(), key=lambda p: p.get("create_time") or 0),
                        client=client_snap)

    def _record_exec_chain(self, seen: dict[int, dict[str, Any]]) -> None:
        """Snapshot every exec-tool process (env OPENCLAW_SHELL=exec), its ancestors up to the
        gateway and its descendants; first sighting of each PID wins."""
        gateway = self.gateway_pid
        assert gateway is not None
        for proc in descendants(gateway):
            self._tracked.setdefault(proc.pid, proc)
            try:
                if proc.environ().get("OPENCLAW_SHELL") != "exec":
                    continue
                ancestors = proc.parents()
                kids = proc.children(recursive=True)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            upto_gateway: list[psutil.Process] = []
            for ancestor in ancestors:
                upto_gateway.append(ancestor)
                if ancestor.pid == gateway:
                    break
            for member in (*upto_gateway, proc, *kids):
                if member.pid not in seen:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        seen[member.pid] = snapshot(member)

    # ---- teardown ----------------------------------------------------------------------------
    def stop(self, term_timeout: float = 10.0) -> None:
        """Stop everything this host started, by PID: gateway (TERM, KILL after term_timeout),
        then every recorded descendant, then the mock model."""
        self._track_stop.set()
        self._track_tree()
        if self._launcher is not None:
            main = [p for p in (self._tracked.get(self._launcher.pid),
                                self._tracked.get(self.gateway_pid or -1)) if p is not None]
            _terminate(main, term_timeout)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._launcher.wait(1)
        self._adopt_orphans()
        _terminate(list(self._tracked.values()), 3.0)
        if self._mock is not None:
            self._mock.terminate()
            try:
                self._mock.wait(5)
            except subprocess.TimeoutExpired:
                self._mock.kill()
                self._mock.wait()
        self._mock = None
        if self._tracker is not None:
            self._tracker.join(3)
        self._tracker, self._track_stop = None, threading.Event()  # start_gateway() may run again

    def __enter__(self) -> OpenClawHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def remove(self) -> None:
        """Delete the work dir (after stop())."""
        shutil.rmtree(self.workdir, ignore_errors=True)


def _terminate(procs: list[psutil.Process], timeout: float) -> None:
    """SIGTERM procs that are still the processes we recorded (is_running checks start time), then
    SIGKILL the ones alive after `timeout` seconds."""
    alive = [p for p in procs if p.is_running()]
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, still = psutil.wait_procs(alive, timeout=timeout)
    for proc in still:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(still, timeout=5)

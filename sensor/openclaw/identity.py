"""Is this process OpenClaw (or Clawdbot/Moltbot), and in which role?

OpenClaw shows up in two shapes (openclaw-facts.md section 7):

* at exec: ``node …/openclaw(.mjs) gateway``, ``node <pkg>/dist/index.js gateway`` (service units),
  ``bun …``, a shell wrapper ``bash ~/.local/bin/openclaw gateway``, helper workers
  ``node …/openclaw/dist/process/spawn-broker/worker.js``;
* after start it sets ``process.title``: cmdline ``openclaw-gateway`` padded with spaces/NULs,
  comm ``openclaw-gatewa`` (15 chars), exe still ``node``/``bun``. Also ``openclaw`` (any CLI),
  ``openclaw-triage``, ``openclaw-node``/``openclaw-node-worker``, ``clawdbot(-gateway)``.

Plus the Gmail watcher the gateway spawns: ``gog gmail watch serve … --hook-url …/hooks/gmail``.

Pure and cheap: called for every exec event. Deliberately no match on a product name that is only an
argument (``vim openclaw.json``, ``grep openclaw``, ``tail /tmp/openclaw/x.log``, ``npm i -g openclaw``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from sensor.openclaw.names import PRODUCTS
from sensor.schema.vocabulary import Product

ROLES: Final[tuple[str, ...]] = (
    "gateway",
    "cli",
    "node",
    "node-worker",
    "triage",
    "worker",
    "gmail-watcher",
    "app",
)


@dataclass(frozen=True, slots=True)
class AgentIdentity:
    product: str  # a sensor.schema.vocabulary.Product
    role: str  # one of ROLES


_JS_RUNTIMES: Final[frozenset[str]] = frozenset({"node", "nodejs", "bun"})
_SHELLS: Final[frozenset[str]] = frozenset({"sh", "bash", "dash", "zsh", "ksh", "fish"})
# node options that consume the next argument
_NODE_OPTS_WITH_VALUE: Final[frozenset[str]] = frozenset(
    {
        "-r",
        "--require",
        "--import",
        "--loader",
        "--experimental-loader",
        "-C",
        "--conditions",
        "--env-file",
        "--title",
        "--inspect-port",
        "--max-old-space-size",
    }
)
_CLI_GLOBAL_OPTS_WITH_VALUE: Final[frozenset[str]] = frozenset({"--profile", "--log-level", "--container"})
_SCRIPT_SUFFIXES: Final[tuple[str, ...]] = (".mjs", ".cjs", ".js", ".cmd", ".ps1", ".sh")
_ENTRY_SCRIPTS: Final[frozenset[str]] = frozenset({"index.js", "entry.js", "index.mjs", "entry.mjs"})
_SPLIT_PATH = re.compile(r"[\\/]+")

# process.title values -> role; comm is the title cut to 15 bytes (TASK_COMM_LEN - 1).
_TITLE_ROLES: Final[dict[str, str]] = {
    "": "cli",
    "-gateway": "gateway",
    "-triage": "triage",
    "-node": "node",
    "-node-worker": "node-worker",
}
_TITLES: Final[dict[str, AgentIdentity]] = {
    product + suffix: AgentIdentity(product, role) for product in PRODUCTS for suffix, role in _TITLE_ROLES.items()
}
_COMMS: Final[dict[str, AgentIdentity]] = {title[:15]: ident for title, ident in _TITLES.items()}


def _basename(path: str) -> str:
    parts = [p for p in _SPLIT_PATH.split(path) if p]
    return parts[-1] if parts else ""


def _path_parts(path: str) -> list[str]:
    return [p for p in _SPLIT_PATH.split(path) if p]


@lru_cache(maxsize=4096)
def _program(path: str) -> str:
    """'/usr/bin/node.exe' -> 'node'; 'openclaw.mjs' -> 'openclaw'."""
    base = _basename(path).lower()
    for suffix in (".exe", *_SCRIPT_SUFFIXES):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


@lru_cache(maxsize=4096)
def _is_js_runtime(path: str | None) -> bool:
    if not path:
        return False
    prog = _program(path)
    return prog in _JS_RUNTIMES or re.fullmatch(r"node\d+(\.\d+)*", prog) is not None


def _title(cmdline: Sequence[str]) -> str:
    """The retitled cmdline: one word padded with spaces/NULs, sometimes split into empty args."""
    if not cmdline:
        return ""
    rest = [a for a in cmdline[1:] if a.strip()]
    return "" if rest else cmdline[0].strip(" \x00")


def _subcommand_role(args: Sequence[str]) -> str:
    """Role of `openclaw <args>`: `gateway` / `gateway run` run a gateway; `node run` a node host."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _CLI_GLOBAL_OPTS_WITH_VALUE else 1
    if i >= len(args):
        return "cli"
    head = args[i]
    nxt = args[i + 1] if i + 1 < len(args) else None
    sub = None if nxt is None or nxt.startswith("-") else nxt
    if head == "gateway" and sub in (None, "run"):
        return "gateway"
    if head == "node" and sub in (None, "run"):
        return "node"
    return "cli"


def _split_runtime_args(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """Skip runtime options (and `bun run`); return (script, script args)."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _NODE_OPTS_WITH_VALUE:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        if arg == "run" and i == 0:  # `bun run <script>`
            i += 1
            continue
        return arg, list(args[i + 1 :])
    return None, []


def _identify_script(script: str, script_args: Sequence[str]) -> AgentIdentity | None:
    prog = _program(script)
    if prog in PRODUCTS:
        return AgentIdentity(prog, _subcommand_role(script_args))
    parts = [p.lower() for p in _path_parts(script)]
    if "dist" not in parts:
        return None
    dist_at = len(parts) - 1 - parts[::-1].index("dist")
    if dist_at == 0 or parts[dist_at - 1] not in PRODUCTS:
        return None
    product = parts[dist_at - 1]
    inside = parts[dist_at + 1 :]
    if len(inside) == 1 and inside[0] in _ENTRY_SCRIPTS:
        return AgentIdentity(product, _subcommand_role(script_args))
    return AgentIdentity(product, "worker")


def _identify_gog(cmdline: Sequence[str]) -> AgentIdentity | None:
    if len(cmdline) < 5 or _program(cmdline[0]) != "gog":
        return None
    if list(cmdline[1:4]) != ["gmail", "watch", "serve"]:
        return None
    for i, arg in enumerate(cmdline):
        value = arg.split("=", 1)[1] if arg.startswith("--hook-url=") else None
        if arg == "--hook-url" and i + 1 < len(cmdline):
            value = cmdline[i + 1]
        if value is not None and value.rstrip("/").endswith("/hooks/gmail"):
            return AgentIdentity(Product.openclaw, "gmail-watcher")
    return None


def _identify_app(exe: str | None) -> AgentIdentity | None:
    if not exe:
        return None
    parts = _path_parts(exe)
    for product in ("OpenClaw", "Clawdbot"):
        bundle = parts[-4:-1]
        if bundle == [f"{product}.app", "Contents", "MacOS"] and parts[-1] in (product, "openclaw-mac"):
            return AgentIdentity(product.lower(), "app")
    return None


def identify_process(name: str, exe: str | None, cmdline: Sequence[str]) -> AgentIdentity | None:
    """Identify an OpenClaw process from comm/name, exe and argv; None when it is not one.

    ``exe`` may be None (not readable). A retitled process is only accepted when its exe is a JS
    runtime (node/bun) or unknown, so a binary that merely happens to be called ``openclaw`` elsewhere
    is judged by its argv like any other process.
    """
    title = _title(cmdline)
    runtime_or_unknown = exe is None or _is_js_runtime(exe)
    if title in _TITLES and runtime_or_unknown:
        return _TITLES[title]
    if not cmdline and name in _COMMS and runtime_or_unknown:  # kernel thread-like empty argv (zombie)
        return _COMMS[name]
    if title and name in _COMMS and title.startswith(name) and runtime_or_unknown:
        return _COMMS[name]
    app = _identify_app(exe)
    if app is not None:
        return app
    if not cmdline:
        return None
    argv0 = _program(cmdline[0])
    if _is_js_runtime(cmdline[0]) or (argv0 not in _SHELLS and _is_js_runtime(exe)):
        script, script_args = _split_runtime_args(cmdline[1:])
        return _identify_script(script, script_args) if script else None
    if argv0 in _SHELLS:
        script, script_args = _split_runtime_args(cmdline[1:])
        if script is not None and _program(script) in PRODUCTS:
            return AgentIdentity(_program(script), _subcommand_role(script_args))
        return None
    if argv0 in PRODUCTS and (runtime_or_unknown or name.lower() in PRODUCTS):
        # `openclaw gateway` exec'd through its shebang keeps argv0 = the script path
        return AgentIdentity(argv0, _subcommand_role(cmdline[1:]))
    return _identify_gog(cmdline)

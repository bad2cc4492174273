"""Where OpenClaw lives, per OS: state dirs, service definitions, package installs.

One ``LocationTable`` per OS (Linux, macOS, Windows); ``CURRENT`` is chosen at start-up from
``sensor.platform``. Every lookup takes the table as a parameter so the macOS and Windows tables are
tested on fixture trees on any OS. Lookups list a handful of known directories: they never walk a home.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sensor import platform
from sensor.openclaw.names import PRODUCTS, STATE_DIR_NAMES
from sensor.schema.vocabulary import Product

_MAX_DIR_ENTRIES = 4096  # a hostile home with millions of entries must not stall the scan


@dataclass(frozen=True)
class ServiceDir:
    """A directory holding service definitions and the name prefixes that mark OpenClaw ones."""

    relative: str  # relative to the home ("" + absolute=True for system dirs)
    prefixes: tuple[str, ...]
    suffix: str = ""
    absolute: bool = False


@dataclass(frozen=True)
class LocationTable:
    os_name: str
    # service definitions under a home, and system-wide
    user_service_dirs: tuple[ServiceDir, ...]
    system_service_dirs: tuple[ServiceDir, ...]
    # global package roots (node_modules dirs) under a home and system-wide; '*' is one glob level
    user_package_roots: tuple[str, ...]
    system_package_roots: tuple[str, ...]
    # app bundles and other single-directory installs
    user_app_dirs: tuple[str, ...] = ()
    system_app_dirs: tuple[str, ...] = ()
    # git checkouts made by `install.sh --install-method git`
    user_git_checkouts: tuple[str, ...] = ("openclaw",)
    extra: dict[str, str] = field(default_factory=dict)


_SYSTEMD_PREFIXES = tuple(f"{p}-gateway" for p in PRODUCTS) + tuple(f"{p}-node" for p in PRODUCTS)
_LAUNCHD_PREFIXES = ("ai.openclaw.", "com.clawdbot.", "bot.molt.")
_TASK_PREFIXES = ("OpenClaw Gateway", "OpenClaw Node", "Clawdbot Gateway", "Clawdbot Node", "Moltbot Gateway")
# global package dirs in a home, the same on every OS (bun, OpenClaw's own installer prefix) or on Unix (npm, nvm)
_ANY_OS_USER_ROOTS = (".bun/install/global/node_modules", ".openclaw/lib/node_modules")
_UNIX_USER_ROOTS = (".npm-global/lib/node_modules", ".nvm/versions/node/*/lib/node_modules")

LINUX = LocationTable(
    os_name="linux",
    user_service_dirs=(ServiceDir(".config/systemd/user", _SYSTEMD_PREFIXES, ".service"),),
    system_service_dirs=(
        ServiceDir("/etc/systemd/system", _SYSTEMD_PREFIXES, ".service", absolute=True),
        ServiceDir("/usr/lib/systemd/system", _SYSTEMD_PREFIXES, ".service", absolute=True),
        ServiceDir("/etc/systemd/user", _SYSTEMD_PREFIXES, ".service", absolute=True),
    ),
    user_package_roots=(
        *_UNIX_USER_ROOTS,
        ".local/lib/node_modules",
        ".local/share/pnpm/global/*/node_modules",
        *_ANY_OS_USER_ROOTS,
        ".volta/tools/image/packages/*/lib/node_modules",
    ),
    system_package_roots=(
        "/usr/local/lib/node_modules",
        "/usr/lib/node_modules",
        "/opt/openclaw/lib/node_modules",
    ),
)

MACOS = LocationTable(
    os_name="macos",
    user_service_dirs=(ServiceDir("Library/LaunchAgents", _LAUNCHD_PREFIXES, ".plist"),),
    system_service_dirs=(
        ServiceDir("/Library/LaunchAgents", _LAUNCHD_PREFIXES, ".plist", absolute=True),
        ServiceDir("/Library/LaunchDaemons", _LAUNCHD_PREFIXES, ".plist", absolute=True),
    ),
    user_package_roots=(*_UNIX_USER_ROOTS, "Library/pnpm/global/*/node_modules", *_ANY_OS_USER_ROOTS),
    system_package_roots=(
        "/usr/local/lib/node_modules",
        "/opt/homebrew/lib/node_modules",
        "/opt/homebrew/Cellar/openclaw-cli/*/libexec/lib/node_modules",
        "/usr/local/Cellar/openclaw-cli/*/libexec/lib/node_modules",
    ),
    user_app_dirs=("Applications/OpenClaw.app", "Applications/Clawdbot.app"),
    system_app_dirs=("/Applications/OpenClaw.app", "/Applications/Clawdbot.app"),
)

WINDOWS = LocationTable(
    os_name="windows",
    user_service_dirs=(ServiceDir("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup", _TASK_PREFIXES),),
    system_service_dirs=(ServiceDir("C:/Windows/System32/Tasks", _TASK_PREFIXES, absolute=True),),
    user_package_roots=("AppData/Roaming/npm/node_modules", "AppData/Local/pnpm/global/*/node_modules",
                        *_ANY_OS_USER_ROOTS),
    system_package_roots=("C:/Program Files/nodejs/node_modules",),
)

TABLES: dict[str, LocationTable] = {"linux": LINUX, "macos": MACOS, "windows": WINDOWS}
CURRENT: LocationTable = TABLES.get(platform.OS_NAME, LINUX)


def _list_dir(directory: Path) -> list[os.DirEntry[str]]:
    """At most _MAX_DIR_ENTRIES entries of a directory that is not a symlink; [] when unreadable."""
    try:
        if stat.S_ISLNK(os.lstat(directory).st_mode):
            return []
        out: list[os.DirEntry[str]] = []
        with os.scandir(directory) as it:
            for entry in it:
                out.append(entry)
                if len(out) >= _MAX_DIR_ENTRIES:
                    break
        return sorted(out, key=lambda e: e.name)
    except OSError:
        return []


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def candidate_state_dirs(home: Path) -> list[Path]:
    """Existing state dirs in a home: ~/.openclaw, legacy ~/.clawdbot ~/.moltbot ~/.moldbot, and
    profile dirs ~/.openclaw-<profile> (incl. -dev) / ~/.clawdbot-<profile>.

    Symlinked dirs are returned too (the scanner reports them, and reads through them only within
    the resolved dir); plain files are not.
    """
    out: list[Path] = []
    for entry in _list_dir(home):
        name = entry.name
        if not _is_state_dir_name(name):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            out.append(Path(entry.path))
    return out


def _is_state_dir_name(name: str) -> bool:
    if name in STATE_DIR_NAMES:
        return True
    for base in (f".{product}" for product in PRODUCTS):
        if name.startswith(base + "-") and len(name) > len(base) + 1 and "." not in name[len(base) :]:
            return True
    return False


def state_dir_product(state_dir: Path) -> tuple[str, str]:
    """(product, variant) from a state dir's name: '.openclaw-dev' -> ('openclaw', 'profile:dev')."""
    name = state_dir.name
    if name in STATE_DIR_NAMES:
        product = STATE_DIR_NAMES[name]
        return product, "default" if product == Product.openclaw else f"legacy:{name.lstrip('.')}"
    for product in PRODUCTS:
        base = f".{product}-"
        if name.startswith(base):
            profile = name[len(base) :]
            if product == Product.openclaw:
                return product, f"profile:{profile}"
            return product, f"legacy:{product}:profile:{profile}"
    return Product.openclaw, "override"


def _matching_files(directory: Path, spec: ServiceDir) -> list[Path]:
    out = []
    for entry in _list_dir(directory):
        if not any(entry.name.startswith(p) for p in spec.prefixes):
            continue
        if spec.suffix and not entry.name.endswith(spec.suffix):
            continue
        try:
            if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                out.append(Path(entry.path))
        except OSError:
            continue
    return out


def service_definition_paths(home: Path, table: LocationTable = CURRENT) -> list[Path]:
    """Service definitions (systemd user units, LaunchAgent plists, Startup items) in one home."""
    out: list[Path] = []
    for spec in table.user_service_dirs:
        out.extend(_matching_files(home / spec.relative, spec))
    return out


def system_service_definition_paths(table: LocationTable = CURRENT, root: Path | None = None) -> list[Path]:
    """System-wide definitions (/etc/systemd/system, /Library/LaunchDaemons, Windows Tasks dir).

    ``root`` re-bases the absolute paths (fixture trees)."""
    out: list[Path] = []
    for spec in table.system_service_dirs:
        directory = Path(spec.relative)
        if root is not None:
            directory = _rebase(root, spec.relative)
        out.extend(_matching_files(directory, spec))
    return out


def state_dir_service_files(state_dir: Path) -> list[Path]:
    """Service env/launcher files OpenClaw writes inside its state dir (2026.9 layout)."""
    out: list[Path] = []
    for name in ("gateway.systemd.env", "gateway.cmd", "gateway.vbs", "node.cmd"):
        candidate = state_dir / name
        if candidate.is_file() and not candidate.is_symlink():
            out.append(candidate)
    for entry in _list_dir(state_dir / "service-env"):
        if entry.name.endswith(".env") and entry.is_file(follow_symlinks=False):
            out.append(Path(entry.path))
    return out


def _rebase(root: Path, absolute: str) -> Path:
    """'/etc/x' or 'C:/Windows/x' under a fixture root: root/etc/x, root/Windows/x."""
    text = absolute.replace("\\", "/")
    if len(text) > 1 and text[1] == ":":
        text = text[2:]
    return root / text.lstrip("/")


def _expand(base: Path, pattern: str) -> list[Path]:
    """Expand one-level '*' components without walking anything else."""
    paths = [base]
    for part in Path(pattern).parts:
        if part == "*":
            nxt: list[Path] = []
            for p in paths:
                nxt.extend(Path(e.path) for e in _list_dir(p) if _is_real_dir(e))
            paths = nxt
        else:
            paths = [p / part for p in paths]
    return paths


def package_roots(home: Path, table: LocationTable = CURRENT) -> list[Path]:
    """node_modules dirs under a home where a global OpenClaw package may sit."""
    out: list[Path] = []
    for pattern in table.user_package_roots:
        out.extend(_expand(home, pattern))
    return out


def system_package_roots(table: LocationTable = CURRENT, root: Path | None = None) -> list[Path]:
    out: list[Path] = []
    for pattern in table.system_package_roots:
        if root is None:
            anchor = Path(Path(pattern).anchor or "/")
            out.extend(_expand(anchor, str(Path(pattern).relative_to(anchor))))
        else:
            out.extend(_expand(root, str(_rebase(Path(), pattern))))
    return out


def package_dirs_in(roots: Iterable[Path]) -> list[tuple[str, Path]]:
    """(product, package dir) for every openclaw/clawdbot package found in the given node_modules dirs."""
    out: list[tuple[str, Path]] = []
    for root in roots:
        for product in (Product.openclaw, Product.clawdbot):  # the npm package names
            candidate = root / product
            if (candidate / "package.json").is_file():
                out.append((product, candidate))
    return out


def app_bundles(home: Path | None, table: LocationTable = CURRENT, root: Path | None = None) -> list[Path]:
    """macOS app bundles (OpenClaw.app, legacy Clawdbot.app) in /Applications and ~/Applications."""
    if home is not None:
        candidates = [home / rel for rel in table.user_app_dirs]
    else:
        candidates = [(root / rel.lstrip("/")) if root is not None else Path(rel) for rel in table.system_app_dirs]
    return [c for c in candidates if c.is_dir()]


def git_checkouts(home: Path, table: LocationTable = CURRENT) -> list[Path]:
    """`install.sh --install-method git` checkouts (~/openclaw with package.json and .git)."""
    out = []
    for rel in table.user_git_checkouts:
        candidate = home / rel
        if (candidate / "package.json").is_file() and (candidate / ".git").exists():
            out.append(candidate)
    return out


def tools_dir(state_dir: Path) -> Path | None:
    """The private runtime dir of install-cli.sh (`<state>/tools`), if present."""
    candidate = state_dir / "tools"
    return candidate if candidate.is_dir() and not candidate.is_symlink() else None

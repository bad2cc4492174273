"""Package installs of OpenClaw/Clawdbot: npm/pnpm/bun global prefixes, Homebrew, install-cli prefix,
git checkouts, macOS app bundles. Version from package.json (or the bundle's Info.plist)."""

from __future__ import annotations

import plistlib
import re
from pathlib import Path

from sensor import platform
from sensor.openclaw import locations
from sensor.openclaw.version import clean_version, package_version
from sensor.platform import AccountHome
from sensor.safeio import SafeIOError, read_file
from sensor.schema.inventory import PackageInstall
from sensor.schema.vocabulary import Product

_SPLIT = re.compile(r"[\\/]+")


def _product(name: str) -> Product:
    return Product.__members__.get(name, Product.openclaw)


def package_root_of(path: str) -> Path | None:
    """The package dir of a script or file inside an openclaw/clawdbot package (no I/O)."""
    if not path:
        return None
    parts = _SPLIT.split(path)
    for i in range(len(parts) - 1, 0, -1):
        name = parts[i].lower()
        if name in (Product.openclaw, Product.clawdbot) and i + 1 < len(parts):
            nxt = parts[i + 1].lower()
            if nxt in ("dist", "openclaw.mjs", "package.json", "clawdbot.mjs"):
                prefix = "/".join(parts[: i + 1]) if parts[0] != "" else "/" + "/".join(parts[1 : i + 1])
                return Path(prefix)
    return None


def _method(path: Path) -> str:
    text = str(path)
    if "/.bun/" in text:
        return "bun"
    if "/pnpm/" in text:
        return "pnpm"
    if "Cellar/openclaw-cli" in text:
        return "homebrew"
    if "/.openclaw/lib/node_modules" in text:
        return "install-cli"
    return "npm-global"


def _owner(path: Path) -> str | None:
    try:
        return platform.owner_name(path.stat().st_uid)
    except OSError:
        return None


def _app_version(bundle: Path) -> str | None:
    try:
        data = read_file(bundle, "Contents/Info.plist", max_bytes=1 << 20).data
        plist = plistlib.loads(data)
    except (SafeIOError, ValueError, plistlib.InvalidFileException):
        return None
    if not isinstance(plist, dict):
        return None
    return clean_version(plist.get("CFBundleShortVersionString"))


def find_packages(homes: list[AccountHome], system_wide: bool) -> list[PackageInstall]:
    out: list[PackageInstall] = []
    roots = [r for h in homes for r in locations.package_roots(h.home)]
    if system_wide:
        roots += locations.system_package_roots()
    for product, pkg in locations.package_dirs_in(roots):
        name, version = package_version(pkg)
        if name not in (None, product):
            continue
        out.append(
            PackageInstall(
                product=_product(product),
                path=str(pkg),
                version=version,
                method=_method(pkg),
                owner=_owner(pkg),
            )
        )
    for home in homes:
        for checkout in locations.git_checkouts(home.home):
            name, version = package_version(checkout)
            if name in (Product.openclaw, Product.clawdbot):
                out.append(
                    PackageInstall(
                        product=_product(name),
                        path=str(checkout),
                        version=version,
                        method="git",
                        owner=_owner(checkout),
                    )
                )
        tools = locations.tools_dir(home.home / ".openclaw")
        if tools is not None:
            out.append(PackageInstall(product=Product.openclaw, path=str(tools), method="tools", owner=_owner(tools)))
    bundles = [b for h in homes for b in locations.app_bundles(h.home)]
    if system_wide:
        bundles += locations.app_bundles(None)
    for bundle in bundles:
        product = Product.clawdbot if bundle.name.lower().startswith(Product.clawdbot) else Product.openclaw
        out.append(
            PackageInstall(
                product=_product(product),
                path=str(bundle),
                version=_app_version(bundle),
                method="app-bundle",
                owner=_owner(bundle),
            )
        )
    return out

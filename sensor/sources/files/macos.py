"""macOS credential stores. No backend: FSEvents reports no reads, and EndpointSecurity file
events need an entitled, notarised binary; the catalogue is still used by inventory and docs."""

from __future__ import annotations

from sensor.sources.files.base import CatalogueEntry, FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES

_AS = "Library/Application Support"

HOME_ENTRIES: tuple[CatalogueEntry, ...] = (
    *COMMON_HOME_ENTRIES,
    CatalogueEntry("Library/Keychains", "*.keychain-db", "keychain"),
    CatalogueEntry("Library/Keychains/*", "*.db", "keychain"),
    CatalogueEntry("Library/Cookies", "Cookies.binarycookies", "browser_cookies"),
    CatalogueEntry(f"{_AS}/Google/Chrome/*", "Cookies", "browser_cookies"),
    CatalogueEntry(f"{_AS}/Google/Chrome/*", "Login Data", "browser_logins"),
    CatalogueEntry(f"{_AS}/Firefox/Profiles/*", "cookies.sqlite", "browser_cookies"),
    CatalogueEntry(f"{_AS}/Firefox/Profiles/*", "logins.json", "browser_logins"),
    CatalogueEntry(f"{_AS}/Slack", "Cookies", "slack_session"),
    CatalogueEntry(f"{_AS}/Bitwarden", "data.json", "password_manager"),
    CatalogueEntry(f"{_AS}/OpenClaw", "*", "openclaw_app_store"),
)


def make_backend(preference: str) -> tuple[FileAccessBackend | None, str | None]:
    return None, "no file-read events on macOS without an EndpointSecurity client (see docs/sensor.md)"

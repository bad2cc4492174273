"""Windows credential stores. No backend: ReadDirectoryChangesW reports no reads (ETW file-IO
tracing would; not implemented). The catalogue is kept for inventory and docs."""

from __future__ import annotations

from sensor.sources.files.base import CatalogueEntry, FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES

_LOCAL = "AppData/Local"
_ROAMING = "AppData/Roaming"

HOME_ENTRIES: tuple[CatalogueEntry, ...] = (
    *COMMON_HOME_ENTRIES,
    CatalogueEntry(f"{_LOCAL}/Google/Chrome/User Data/*/Network", "Cookies", "browser_cookies"),
    CatalogueEntry(f"{_LOCAL}/Google/Chrome/User Data/*", "Login Data", "browser_logins"),
    CatalogueEntry(f"{_LOCAL}/Microsoft/Edge/User Data/*/Network", "Cookies", "browser_cookies"),
    CatalogueEntry(f"{_ROAMING}/Mozilla/Firefox/Profiles/*", "cookies.sqlite", "browser_cookies"),
    CatalogueEntry(f"{_ROAMING}/Mozilla/Firefox/Profiles/*", "logins.json", "browser_logins"),
    CatalogueEntry(f"{_ROAMING}/Microsoft/Credentials", "*", "windows_credentials"),
    CatalogueEntry(f"{_LOCAL}/Microsoft/Credentials", "*", "windows_credentials"),
    CatalogueEntry(f"{_ROAMING}/Slack", "Cookies", "slack_session"),
    CatalogueEntry(f"{_ROAMING}/gh", "hosts.yml", "gh_token"),
)


def make_backend(preference: str) -> tuple[FileAccessBackend | None, str | None]:
    return None, "no file-read events on Windows (ETW file-IO tracing not implemented; see docs/sensor.md)"

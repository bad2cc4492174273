"""Windows credential stores. No backend: ReadDirectoryChangesW reports no reads (ETW file-IO
tracing would; not implemented). The catalogue is kept for inventory and docs."""

from __future__ import annotations

from sensor.sources.files.base import FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES, entries

HOME_ENTRIES = COMMON_HOME_ENTRIES + entries(
    ("browser_cookies", "AppData/Local/Google/Chrome/User Data/*/Network/Cookies"),
    ("browser_logins", "AppData/Local/Google/Chrome/User Data/*/Login Data"),
    ("browser_cookies", "AppData/Local/Microsoft/Edge/User Data/*/Network/Cookies",
     "AppData/Roaming/Mozilla/Firefox/Profiles/*/cookies.sqlite"),
    ("browser_logins", "AppData/Roaming/Mozilla/Firefox/Profiles/*/logins.json"),
    ("windows_credentials", "AppData/Roaming/Microsoft/Credentials/*", "AppData/Local/Microsoft/Credentials/*"),
    ("slack_session", "AppData/Roaming/Slack/Cookies"),
    ("gh_token", "AppData/Roaming/gh/hosts.yml"),
)


def make_backend(preference: str) -> tuple[FileAccessBackend | None, str | None]:
    return None, "no file-read events on Windows (ETW file-IO tracing not implemented; see docs/sensor.md)"

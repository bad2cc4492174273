"""macOS credential stores. No backend: FSEvents reports no reads, and EndpointSecurity file
events need an entitled, notarised binary; the catalogue is still used by inventory and docs."""

from __future__ import annotations

from sensor.sources.files.base import FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES, entries

HOME_ENTRIES = COMMON_HOME_ENTRIES + entries(
    ("keychain", "Library/Keychains/*.keychain-db", "Library/Keychains/*/*.db"),
    ("browser_cookies", "Library/Cookies/Cookies.binarycookies",
     "Library/Application Support/Google/Chrome/*/Cookies"),
    ("browser_logins", "Library/Application Support/Google/Chrome/*/Login Data"),
    ("browser_cookies", "Library/Application Support/Firefox/Profiles/*/cookies.sqlite"),
    ("browser_logins", "Library/Application Support/Firefox/Profiles/*/logins.json"),
    ("slack_session", "Library/Application Support/Slack/Cookies"),
    ("password_manager", "Library/Application Support/Bitwarden/data.json"),
    ("openclaw_app_store", "Library/Application Support/OpenClaw/*"),
)


def make_backend(preference: str) -> tuple[FileAccessBackend | None, str | None]:
    return None, "no file-read events on macOS without an EndpointSecurity client (see docs/sensor.md)"

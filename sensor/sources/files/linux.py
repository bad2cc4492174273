"""Linux credential stores (beyond the common ones) and the backend choice: fanotify as root,
else inotify (watchdog) with best-effort attribution."""

from __future__ import annotations

import logging

from sensor.sources.files.base import FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES, Row, entries
from sensor.sources.files.fanotify import FanotifyBackend
from sensor.sources.files.inotify import InotifyBackend

log = logging.getLogger(__name__)

_CHROMIUM_ROOTS = (".config/google-chrome", ".config/chromium", ".config/BraveSoftware/Brave-Browser",
                   ".config/microsoft-edge", ".config/vivaldi", ".config/opera")


def _chromium(root: str) -> tuple[Row, ...]:
    return (
        ("browser_cookies", f"{root}/*/Cookies", f"{root}/*/Network/Cookies"),
        ("browser_logins", f"{root}/*/Login Data"),
        ("browser_autofill", f"{root}/*/Web Data"),
        ("browser_key_store", f"{root}/Local State"),
    )


HOME_ENTRIES = COMMON_HOME_ENTRIES + entries(
    *(row for root in _CHROMIUM_ROOTS for row in _chromium(root)),
    ("browser_cookies", ".mozilla/firefox/*/cookies.sqlite"),
    ("browser_logins", ".mozilla/firefox/*/logins.json"),
    ("browser_key_store", ".mozilla/firefox/*/key4.db"),
    ("keyring", ".local/share/keyrings/*.keyring", ".local/share/kwalletd/*.kwl"),
    ("gogcli_keyring", ".local/share/gogcli/keyring/**/*"),
    ("gogcli_token", ".local/share/gogcli/credentials*.json", ".local/share/gogcli/*sa-*.json"),
    ("slack_session", ".config/Slack/Cookies", ".config/Slack/Local Storage/leveldb/*"),
    ("password_manager", ".config/Bitwarden/data.json", ".config/1Password/**/*.sqlite",
     ".config/keepassxc/*.kdbx"),
)


def make_backend(preference: str) -> tuple[FileAccessBackend | None, str | None]:
    """(backend, degraded reason). ``preference``: auto | fanotify | inotify."""
    if preference in ("auto", "fanotify"):
        try:
            return FanotifyBackend(), None
        except OSError as exc:
            reason = f"fanotify unavailable ({exc.strerror or exc}): inotify with best-effort attribution"
            log.warning("%s", reason)
    else:
        reason = "inotify configured: best-effort attribution"
    return InotifyBackend(), reason

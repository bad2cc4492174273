"""Linux credential stores (beyond the common ones) and the backend choice: fanotify as root,
else inotify (watchdog) with best-effort attribution."""

from __future__ import annotations

import logging

from sensor.sources.files.base import CatalogueEntry, FileAccessBackend
from sensor.sources.files.catalogue import COMMON_HOME_ENTRIES
from sensor.sources.files.fanotify import FanotifyBackend
from sensor.sources.files.inotify import InotifyBackend

log = logging.getLogger(__name__)

_CHROMIUM_ROOTS = (".config/google-chrome", ".config/chromium", ".config/BraveSoftware/Brave-Browser",
                   ".config/microsoft-edge", ".config/vivaldi", ".config/opera")


def _chromium(root: str) -> tuple[CatalogueEntry, ...]:
    return (
        CatalogueEntry(f"{root}/*", "Cookies", "browser_cookies"),
        CatalogueEntry(f"{root}/*/Network", "Cookies", "browser_cookies"),
        CatalogueEntry(f"{root}/*", "Login Data", "browser_logins"),
        CatalogueEntry(f"{root}/*", "Web Data", "browser_autofill"),
        CatalogueEntry(root, "Local State", "browser_key_store"),
    )


HOME_ENTRIES: tuple[CatalogueEntry, ...] = (
    *COMMON_HOME_ENTRIES,
    *(e for root in _CHROMIUM_ROOTS for e in _chromium(root)),
    CatalogueEntry(".mozilla/firefox/*", "cookies.sqlite", "browser_cookies"),
    CatalogueEntry(".mozilla/firefox/*", "logins.json", "browser_logins"),
    CatalogueEntry(".mozilla/firefox/*", "key4.db", "browser_key_store"),
    CatalogueEntry(".local/share/keyrings", "*.keyring", "keyring"),
    CatalogueEntry(".local/share/kwalletd", "*.kwl", "keyring"),
    CatalogueEntry(".local/share/gogcli/keyring", "*", "gogcli_keyring", recursive=True),
    CatalogueEntry(".local/share/gogcli", "credentials*.json", "gogcli_token"),
    CatalogueEntry(".local/share/gogcli", "*sa-*.json", "gogcli_token"),
    CatalogueEntry(".config/Slack", "Cookies", "slack_session"),
    CatalogueEntry(".config/Slack/Local Storage/leveldb", "*", "slack_session"),
    CatalogueEntry(".config/Bitwarden", "data.json", "password_manager"),
    CatalogueEntry(".config/1Password", "*.sqlite", "password_manager", recursive=True),
    CatalogueEntry(".config/keepassxc", "*.kdbx", "password_manager"),
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

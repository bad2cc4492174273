"""The catalogue of credential and token stores, per OS, and its expansion into watch targets.

Entries are relative to a home directory (``HOME_ENTRIES``) or to an OpenClaw state dir
(``STATE_DIR_ENTRIES``). Expansion only walks real directories: a symlinked directory is not followed
(hostile input), ``*`` segments and recursive entries are bounded.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sensor.sources.files.base import CatalogueEntry, WatchDir

MAX_RECURSION_DEPTH = 4
MAX_DIRS_PER_ENTRY = 256

COMMON_HOME_ENTRIES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(".ssh", "id_*", "ssh_private_key", exclude="*.pub"),
    CatalogueEntry(".ssh", "*.pem", "ssh_private_key"),
    CatalogueEntry(".ssh", "*.key", "ssh_private_key"),
    CatalogueEntry(".aws", "credentials", "aws_credentials"),
    CatalogueEntry(".aws", "config", "aws_config"),
    CatalogueEntry(".aws/sso/cache", "*.json", "aws_sso_token"),
    CatalogueEntry(".config/gcloud", "credentials.db", "gcloud_credentials"),
    CatalogueEntry(".config/gcloud", "access_tokens.db", "gcloud_credentials"),
    CatalogueEntry(".config/gcloud", "application_default_credentials.json", "gcloud_credentials"),
    CatalogueEntry(".config/gcloud/legacy_credentials", "*", "gcloud_credentials", recursive=True),
    CatalogueEntry(".azure", "msal_token_cache.*", "azure_token"),
    CatalogueEntry(".azure", "accessTokens.json", "azure_token"),
    CatalogueEntry(".kube", "config", "kubeconfig"),
    CatalogueEntry(".docker", "config.json", "docker_credentials"),
    CatalogueEntry("", ".git-credentials", "git_credentials"),
    CatalogueEntry(".config/git", "credentials", "git_credentials"),
    CatalogueEntry(".config/gh", "hosts.yml", "gh_token"),
    CatalogueEntry("", ".npmrc", "npm_token"),
    CatalogueEntry("", ".pypirc", "pypi_token"),
    CatalogueEntry("", ".netrc", "netrc"),
    CatalogueEntry("", ".pgpass", "database_password"),
    CatalogueEntry("", ".my.cnf", "database_password"),
    CatalogueEntry(".gnupg/private-keys-v1.d", "*.key", "gpg_private_key"),
    CatalogueEntry(".codex", "auth.json", "codex_oauth"),
    CatalogueEntry(".claude", ".credentials.json", "claude_code_oauth"),
    CatalogueEntry(".qwen", "oauth_creds.json", "qwen_oauth"),
    CatalogueEntry(".minimax", "oauth_creds.json", "minimax_oauth"),
    CatalogueEntry(".config/gogcli", "*", "gogcli_token", recursive=True),
    CatalogueEntry(".password-store", "*.gpg", "password_store", recursive=True),
)

# Relative to an OpenClaw state dir (~/.openclaw, a profile dir, or $OPENCLAW_STATE_DIR)
STATE_DIR_ENTRIES: tuple[CatalogueEntry, ...] = (
    CatalogueEntry("credentials", "*", "openclaw_channel_credentials", recursive=True),
    CatalogueEntry("agents/*/agent", "auth-profiles.json", "openclaw_auth_profiles"),
    CatalogueEntry("agents/*/agent", "openclaw-agent.sqlite", "openclaw_agent_store"),
    CatalogueEntry("state", "openclaw.sqlite", "openclaw_auth_store"),
    CatalogueEntry("", ".env", "openclaw_env"),
    CatalogueEntry("", "secrets.json", "openclaw_secrets"),
    CatalogueEntry("", "exec-approvals.json", "openclaw_exec_approvals"),
)


def _real_subdirs(directory: Path) -> list[Path]:
    try:
        with os.scandir(directory) as it:
            return sorted(Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def _is_real_dir(path: Path) -> bool:
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def _expand_dir(base: Path, relative: str) -> list[Path]:
    """``relative`` under ``base`` with ``*`` segments matched against real subdirectories."""
    current = [base]
    for part in [p for p in relative.split("/") if p]:
        nxt: list[Path] = []
        for d in current:
            if any(c in part for c in "*?["):
                nxt.extend(s for s in _real_subdirs(d) if fnmatch.fnmatch(s.name, part))
            else:
                candidate = d / part
                if _is_real_dir(candidate):
                    nxt.append(candidate)
        current = nxt[:MAX_DIRS_PER_ENTRY]
    return [d for d in current if _is_real_dir(d)]


def _with_subdirs(directory: Path) -> list[Path]:
    out = [directory]
    frontier = [directory]
    for _ in range(MAX_RECURSION_DEPTH):
        frontier = [s for d in frontier for s in _real_subdirs(d)]
        out.extend(frontier)
        if len(out) >= MAX_DIRS_PER_ENTRY:
            return out[:MAX_DIRS_PER_ENTRY]
    return out


def expand(base: Path, entries: Sequence[CatalogueEntry], owner: str | None) -> list[WatchDir]:
    """Watch targets for one base directory: existing real directories, entries grouped per dir."""
    grouped: dict[Path, list[CatalogueEntry]] = {}
    for entry in entries:
        for d in _expand_dir(base, entry.directory):
            for target in _with_subdirs(d) if entry.recursive else [d]:
                grouped.setdefault(target, []).append(entry)
    return [WatchDir(path, owner, tuple(es)) for path, es in grouped.items()]


def kind_of(name: str, entries: Iterable[CatalogueEntry]) -> str | None:
    """The credential kind of a file called ``name`` in a watched directory, or None."""
    for entry in entries:
        excluded = entry.exclude is not None and fnmatch.fnmatch(name, entry.exclude)
        if fnmatch.fnmatch(name, entry.pattern) and not excluded:
            return entry.kind
    return None

"""The catalogue of credential and token stores, per OS, and its expansion into watch targets.

Each OS module holds its data as rows ``(kind, glob, ...)`` (``Row``) that ``entries`` turns into
catalogue entries, relative to a home directory (``HOME_ENTRIES``) or to an OpenClaw state dir
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

Row = tuple[str, ...]
"""``(kind, glob, ...)``: files matching any of the globs (relative to a base) are credential stores of
``kind``. A glob's last segment matches file names, the segments before it name the directory (``*``
segments allowed, e.g. browser profiles); ``DIR/**/NAME`` also covers subdirectories (bounded depth);
a trailing `` !NAME`` leaves out names that match NAME (``.ssh/id_* !*.pub``)."""


def _entry(kind: str, glob: str) -> CatalogueEntry:
    glob, _, exclude = glob.partition(" !")
    directory, _, pattern = glob.rpartition("/")
    recursive = directory == "**" or directory.endswith("/**")
    if recursive:
        directory = directory.removesuffix("**").rstrip("/")
    if not pattern or "**" in directory or "**" in pattern:
        raise ValueError(f"catalogue glob {glob!r}: '**' only as the last directory segment")
    return CatalogueEntry(directory, pattern, kind, recursive=recursive, exclude=exclude or None)


def entries(*rows: Row) -> tuple[CatalogueEntry, ...]:
    """The catalogue entries of ``rows`` (see ``Row``), in order: in a watched directory the first
    entry whose pattern matches a file's name gives its kind."""
    out: list[CatalogueEntry] = []
    for kind, *globs in rows:
        if not globs:
            raise ValueError(f"catalogue row {kind!r} has no glob")
        out.extend(_entry(kind, glob) for glob in globs)
    return tuple(out)


COMMON_HOME_ENTRIES = entries(
    ("ssh_private_key", ".ssh/id_* !*.pub", ".ssh/*.pem", ".ssh/*.key"),
    ("aws_credentials", ".aws/credentials"),
    ("aws_config", ".aws/config"),
    ("aws_sso_token", ".aws/sso/cache/*.json"),
    ("gcloud_credentials", ".config/gcloud/credentials.db", ".config/gcloud/access_tokens.db",
     ".config/gcloud/application_default_credentials.json", ".config/gcloud/legacy_credentials/**/*"),
    ("azure_token", ".azure/msal_token_cache.*", ".azure/accessTokens.json"),
    ("kubeconfig", ".kube/config"),
    ("docker_credentials", ".docker/config.json"),
    ("git_credentials", ".git-credentials", ".config/git/credentials"),
    ("gh_token", ".config/gh/hosts.yml"),
    ("npm_token", ".npmrc"),
    ("pypi_token", ".pypirc"),
    ("netrc", ".netrc"),
    ("database_password", ".pgpass", ".my.cnf"),
    ("gpg_private_key", ".gnupg/private-keys-v1.d/*.key"),
    ("codex_oauth", ".codex/auth.json"),
    ("claude_code_oauth", ".claude/.credentials.json"),
    ("qwen_oauth", ".qwen/oauth_creds.json"),
    ("minimax_oauth", ".minimax/oauth_creds.json"),
    ("gogcli_token", ".config/gogcli/**/*"),
    ("password_store", ".password-store/**/*.gpg"),
)

# Relative to an OpenClaw state dir (~/.openclaw, a profile dir, or $OPENCLAW_STATE_DIR)
STATE_DIR_ENTRIES = entries(
    ("openclaw_channel_credentials", "credentials/**/*"),
    ("openclaw_auth_profiles", "agents/*/agent/auth-profiles.json"),
    ("openclaw_agent_store", "agents/*/agent/openclaw-agent.sqlite"),
    ("openclaw_auth_store", "state/openclaw.sqlite"),
    ("openclaw_env", ".env"),
    ("openclaw_secrets", "secrets.json"),
    ("openclaw_exec_approvals", "exec-approvals.json"),
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

"""Every credential store of an install (both layouts) and the third-party stores OpenClaw drives.

State dir (relative): the config and its includes, ``agents/<id>/agent/{auth-profiles,auth,models}.json``,
``credentials/**`` (WhatsApp ``creds.json``, ``oauth.json``), ``.env``, ``secrets.json``,
``exec-approvals.json``, ``gateway.systemd.env``, ``service-env/*.env``, ``gateway.cmd``, and the
2026.9 SQLite stores (``state/openclaw.sqlite``: ``config_machine_state`` auth rows,
``secret_store_entries``, ``mcp_oauth_stores``; ``agents/<id>/agent/openclaw-agent.sqlite``:
``auth_profile_store``). Home (relative): gogcli config/data/keyring, Claude Code, Codex, Qwen, MiniMax.

Output is ``sensor.schema.Credential`` (kind, path, location, owner, mode, fingerprint, length class,
reference): never a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import orjson

from sensor.openclaw.config import decode_text, parse_json5
from sensor.openclaw.credentials.extract import (
    RawSecret,
    secrets_in_dotenv,
    secrets_in_tree,
    windows_set_pairs,
)
from sensor.openclaw.credentials.extract import (
    secrets_in_assignments as _assignments,
)
from sensor.openclaw.credentials.sqlite_store import SqliteReadError, query, table_names
from sensor.openclaw.names import PRODUCT_PATTERN
from sensor.safeio import EntryInfo, FileData, SafeIOError, list_dir, read_file, walk_files
from sensor.schema.inventory import Credential
from sensor.secrets import Fingerprinter, length_class

MAX_STORE_BYTES = 2 * 1024 * 1024
MAX_AGENTS = 256  # agent dirs read per install (a hostile tree may hold millions)
SKIP_CREDENTIAL_FILES = ("-allowFrom.json", "-pairing.json")


@dataclass(frozen=True)
class StoreProblem:
    kind: str  # SafeIOError reason, parse_error, sqlite
    path: str
    detail: str = ""


@dataclass
class CredentialCollector:
    """Turns RawSecrets into Credentials (fingerprinted, deduplicated) and records problems."""

    fingerprinter: Fingerprinter
    owner_of: Callable[[int | None], str | None]
    credentials: list[Credential] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, raw: RawSecret, path: str, uid: int | None, mode: int | None) -> None:
        key = (raw.kind, path, raw.location)
        if key in self._seen:
            return
        self._seen.add(key)
        if raw.value is None:
            fingerprint, length = "reference", None
        else:
            fingerprint, length = self.fingerprinter.fingerprint(raw.value), length_class(raw.value)
        self.credentials.append(
            Credential(
                kind=raw.kind,
                path=path,
                location=raw.location,
                owner=self.owner_of(uid),
                mode=f"{mode:04o}" if mode is not None else None,
                fingerprint=fingerprint,
                length_class=length,
                reference=raw.reference,
            )
        )

    def add_all(self, raws: Iterable[RawSecret], data: FileData, path: str | None = None) -> None:
        for raw in raws:
            self.add(raw, path or str(data.path), data.uid, data.mode)

    def problem(self, kind: str, path: Path | str, detail: str = "") -> None:
        self.problems.append(StoreProblem(kind, str(path), detail))


def _read(
    base: Path, rel: PurePath | str, collector: CredentialCollector, quiet_missing: bool = True
) -> FileData | None:
    try:
        return read_file(base, rel, max_bytes=MAX_STORE_BYTES)
    except SafeIOError as exc:
        if not (quiet_missing and exc.reason == "missing"):
            collector.problem(exc.reason, base / rel, exc.detail)
        return None


def _parse_json(data: FileData, collector: CredentialCollector) -> object | None:
    try:
        return parse_json5(decode_text(data.data))
    except ValueError as exc:
        collector.problem("parse_error", data.path, str(exc))
        return None


def _json_store(
    base: Path,
    rel: PurePath | str,
    collector: CredentialCollector,
    force_kind: str | None = None,
    generic_as: str | None = None,
) -> None:
    data = _read(base, rel, collector)
    if data is None:
        return
    tree = _parse_json(data, collector)
    if tree is None:
        return
    for found in secrets_in_tree(tree):
        kind = found.kind
        if force_kind is not None:
            kind = force_kind
        elif generic_as is not None and kind == "generic_secret":
            kind = generic_as
        collector.add(
            RawSecret(kind, found.location, found.value, found.reference), str(data.path), data.uid, data.mode
        )


def _dotenv_store(base: Path, rel: PurePath | str, collector: CredentialCollector) -> None:
    data = _read(base, rel, collector)
    if data is None:
        return
    try:
        text = decode_text(data.data)
    except ValueError as exc:
        collector.problem("parse_error", data.path, str(exc))
        return
    collector.add_all(secrets_in_dotenv(text), data)


def _subdirs(base: Path, rel: str) -> list[EntryInfo]:
    try:
        return [e for e in list_dir(base, rel) if e.kind == "dir"]
    except SafeIOError:
        return []


def _agents(state_dir: Path, collector: CredentialCollector) -> list[EntryInfo]:
    agents = _subdirs(state_dir, "agents")
    if len(agents) > MAX_AGENTS:
        collector.problem("too_large", state_dir / "agents", f"over {MAX_AGENTS} agent dirs; first {MAX_AGENTS} read")
    return agents[:MAX_AGENTS]


def _files(base: Path, rel: str) -> list[EntryInfo]:
    try:
        return [e for e in list_dir(base, rel) if e.kind in ("file", "symlink")]
    except SafeIOError:
        return []


def config_file_secrets(files: Iterable[FileData], collector: CredentialCollector) -> None:
    """Secrets in the config and each of its include files (as loaded by ``load_config``)."""
    for data in files:
        tree = _parse_json(data, collector)
        if tree is not None:
            collector.add_all(secrets_in_tree(tree), data)


def _sqlite_json_rows(
    base: Path,
    rel: str,
    table: str,
    columns: tuple[str, str],
    collector: CredentialCollector,
    *,
    key_filter: Callable[[str], bool] | None = None,
) -> None:
    key_col, json_col = columns
    try:
        info = list_dir(base, str(PurePath(rel).parent))
        entry = next((e for e in info if e.name == PurePath(rel).name), None)
        rows = query(base, rel, f"SELECT {key_col}, {json_col} FROM {table}")  # noqa: S608 (constants)
    except (SqliteReadError, SafeIOError) as exc:
        collector.problem("sqlite", base / rel, f"{table}: {exc}")
        return
    uid = entry.uid if entry else None
    mode = entry.mode if entry else None
    for key, raw_json in rows:
        key_text = str(key)
        if key_filter is not None and not key_filter(key_text):
            continue
        try:
            tree = orjson.loads(raw_json) if isinstance(raw_json, str | bytes) else None
        except orjson.JSONDecodeError:
            collector.problem("parse_error", f"{base / rel}#{table}/{key_text}", "row is not JSON")
            continue
        for raw in secrets_in_tree(tree):
            collector.add(raw, f"{base / rel}#{table}/{key_text}", uid, mode)


def _sqlite_secret_entries(base: Path, rel: str, collector: CredentialCollector) -> None:
    try:
        rows = query(base, rel, "SELECT scope_kind, scope_id, name, value FROM secret_store_entries")
    except SqliteReadError as exc:
        collector.problem("sqlite", base / rel, f"secret_store_entries: {exc}")
        return
    for scope_kind, scope_id, name, value in rows:
        if not isinstance(value, str) or not value:
            continue
        from sensor.openclaw.credentials.kinds import classify  # noqa: PLC0415 (avoid cycle at import)

        kind = classify(str(name), value) or "generic_secret"
        location = f"{scope_kind}:{scope_id}:{name}"
        collector.add(RawSecret(kind, location, value), f"{base / rel}#secret_store_entries", None, None)


def sqlite_stores(state_dir: Path, collector: CredentialCollector) -> bool:
    """2026.9 layout stores; True when a state database exists."""
    found = False
    state_db = "state/openclaw.sqlite"
    if any(e.name == "openclaw.sqlite" for e in _files(state_dir, "state")):
        found = True
        try:
            tables = table_names(state_dir, state_db)
        except SqliteReadError as exc:
            collector.problem("sqlite", state_dir / state_db, str(exc))
            tables = set()
        if "config_machine_state" in tables:
            _sqlite_json_rows(
                state_dir,
                state_db,
                "config_machine_state",
                ("state_key", "value_json"),
                collector,
                key_filter=lambda k: "auth" in k.lower() or "secret" in k.lower(),
            )
        if "mcp_oauth_stores" in tables:
            _sqlite_json_rows(state_dir, state_db, "mcp_oauth_stores", ("store_key", "store_json"), collector)
        if "secret_store_entries" in tables:
            _sqlite_secret_entries(state_dir, state_db, collector)
    for agent in _agents(state_dir, collector):
        rel = f"agents/{agent.name}/agent/openclaw-agent.sqlite"
        if not any(e.name == "openclaw-agent.sqlite" for e in _files(state_dir, f"agents/{agent.name}/agent")):
            continue
        found = True
        try:
            tables = table_names(state_dir, rel)
        except SqliteReadError as exc:
            collector.problem("sqlite", state_dir / rel, str(exc))
            continue
        if "auth_profile_store" in tables:
            _sqlite_json_rows(state_dir, rel, "auth_profile_store", ("store_key", "store_json"), collector)
    return found


def json_layout_stores(state_dir: Path, collector: CredentialCollector) -> bool:
    """Older JSON-file layout (agents/*/agent/*.json); True when an auth-profiles.json exists."""
    found = False
    for agent in _subdirs(state_dir, "agents")[:MAX_AGENTS]:
        names = {e.name for e in _files(state_dir, f"agents/{agent.name}/agent")}
        for name in ("auth-profiles.json", "auth.json", "models.json"):
            if name in names:
                found = found or name == "auth-profiles.json"
                _json_store(state_dir, f"agents/{agent.name}/agent/{name}", collector)
        # the Codex harness keeps its own CODEX_HOME per agent (2026.9)
        codex_home = f"agents/{agent.name}/agent/codex-home"
        if any(e.name == "auth.json" for e in _files(state_dir, codex_home)):
            _json_store(state_dir, f"{codex_home}/auth.json", collector, force_kind="codex_auth")
    return found


def credentials_dir(state_dir: Path, collector: CredentialCollector) -> None:
    whatsapp_accounts: set[str] = set()
    for rel, entry in walk_files(state_dir, "credentials", max_depth=4, limit=500):
        if entry.kind == "symlink":
            collector.problem("symlink", entry.path, "symbolic link not followed")
            continue
        parts = rel.parts
        if len(parts) >= 3 and parts[1] == "whatsapp":
            account = parts[2]
            if entry.name == "creds.json" and account not in whatsapp_accounts:
                data = _read(state_dir, rel, collector)
                if data is not None:
                    whatsapp_accounts.add(account)
                    collector.add(
                        RawSecret("whatsapp_session", f"whatsapp/{account}", data.data.decode("latin-1")),
                        str(data.path),
                        data.uid,
                        data.mode,
                    )
            continue
        if entry.name.endswith(SKIP_CREDENTIAL_FILES) or not entry.name.endswith(".json"):
            continue
        _json_store(state_dir, rel, collector)


_CONFIG_BACKUP = re.compile(rf"^({PRODUCT_PATTERN}|moldbot)\.json\.bak(\.\d{{1,3}})?$")


def config_backups(state_dir: Path, collector: CredentialCollector) -> None:
    """Onboarding's rotating backups (`openclaw.json.bak`, `.bak.1` … `.bak.4`): plaintext copies too."""
    for entry in _files(state_dir, ""):
        if entry.kind == "file" and _CONFIG_BACKUP.match(entry.name):
            data = _read(state_dir, entry.name, collector)
            if data is None:
                continue
            try:
                tree = parse_json5(decode_text(data.data))
            except ValueError:
                continue  # a truncated backup is not worth a finding
            collector.add_all(secrets_in_tree(tree), data)


def state_dir_files(state_dir: Path, collector: CredentialCollector) -> None:
    config_backups(state_dir, collector)
    _dotenv_store(state_dir, ".env", collector)
    _json_store(state_dir, "secrets.json", collector)
    _json_store(state_dir, "exec-approvals.json", collector, generic_as="exec_approvals_token")
    _dotenv_store(state_dir, "gateway.systemd.env", collector)
    for entry in _files(state_dir, "service-env"):
        if entry.name.endswith(".env"):
            _dotenv_store(state_dir, f"service-env/{entry.name}", collector)
    for name in ("gateway.cmd", "node.cmd"):
        data = _read(state_dir, name, collector)
        if data is None:
            continue
        try:
            text = decode_text(data.data)
        except ValueError:
            continue
        collector.add_all(_assignments(windows_set_pairs(text)), data)


def install_credentials(state_dir: Path, config_files: Iterable[FileData], collector: CredentialCollector) -> str:
    """Collect everything in one state dir; returns the layout ('sqlite' | 'json' | 'unknown')."""
    config_file_secrets(config_files, collector)
    has_json = json_layout_stores(state_dir, collector)
    has_sqlite = sqlite_stores(state_dir, collector)
    credentials_dir(state_dir, collector)
    state_dir_files(state_dir, collector)
    return "sqlite" if has_sqlite else "json" if has_json else "unknown"


# --- third-party stores in the home -------------------------------------------------------------------

_HOME_JSON_STORES: tuple[tuple[str, str | None], ...] = (
    (".claude/.credentials.json", "claude_code_oauth"),
    (".codex/auth.json", "codex_auth"),
    (".qwen/oauth_creds.json", "qwen_oauth"),
    (".minimax/oauth_creds.json", "minimax_oauth"),
)
_GOG_DIRS = (".config/gogcli", ".local/share/gogcli", "Library/Application Support/gogcli")


def _gog_dir(home: Path, rel: str, collector: CredentialCollector) -> None:
    for entry in _files(home, rel):
        name = entry.name
        if entry.kind == "symlink":
            continue
        if name.startswith("credentials") and name.endswith(".json"):
            _json_store(home, f"{rel}/{name}", collector, generic_as="google_oauth_client_secret")
        elif (name.startswith(("sa-", "keep-sa-"))) and name.endswith(".json"):
            _json_store(home, f"{rel}/{name}", collector, force_kind="google_service_account_key")
    for entry in _files(home, f"{rel}/keyring"):
        if entry.kind != "file":
            continue
        data = _read(home, f"{rel}/keyring/{entry.name}", collector)
        if data is not None:
            collector.add(
                RawSecret("gogcli_keyring_item", f"keyring/{entry.name}", data.data.decode("latin-1")),
                str(data.path),
                data.uid,
                data.mode,
            )


def home_credentials(home: Path, collector: CredentialCollector) -> None:
    for rel, kind in _HOME_JSON_STORES:
        _json_store(home, rel, collector, force_kind=kind)
    for rel in _GOG_DIRS:
        _gog_dir(home, rel, collector)


def iter_kinds(credentials: Iterable[Credential]) -> Iterator[str]:
    for cred in credentials:
        yield cred.kind

"""``scan_host``: find every OpenClaw install on the host and describe it as a ``ScanReport``.

Order of work: homes (account database, or the given list) -> state dirs (per-home candidates, plus
overrides named by running processes, service definitions and gateway lock files) -> per install:
config, credentials, grants, processes + listeners, exposure, version, persistence, findings ->
package installs. Only known paths are looked at; nothing is executed, installed or written
(the fingerprint salt file aside, which lives in clawwatch's own data dir).
"""

from __future__ import annotations

import hashlib
import os
import platform as pyplatform
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sensor import __version__, platform
from sensor.inventory.linking import GatewayLock, read_locks
from sensor.inventory.listeners import listeners_for, snapshot
from sensor.inventory.packages import find_packages, package_root_of
from sensor.inventory.processes import AgentProcess, agent_processes, state_dir_hint
from sensor.openclaw import locations
from sensor.openclaw.assess import install_findings
from sensor.openclaw.config import ConfigProblem, LoadedConfig, find_config, load_config
from sensor.openclaw.credentials.stores import (
    CredentialCollector,
    StoreProblem,
    home_credentials,
    install_credentials,
)
from sensor.openclaw.exposure import exposure_summary
from sensor.openclaw.findings import make
from sensor.openclaw.grants import GrantFacts, grant_names, grants_for
from sensor.openclaw.persistence import ServiceDefinition, read_definition
from sensor.openclaw.settings import risk_settings
from sensor.openclaw.version import config_version, control_ui_version, description_version, package_version
from sensor.platform import AccountHome
from sensor.safeio import SafeIOError, is_symlink, list_dir, stat_entry
from sensor.schema.inventory import Finding, HostInfo, Install, PackageInstall, ScanReport
from sensor.secrets import Fingerprinter, load_or_create_salt
from sensor.sources.sockets import SocketEntry

_AGENT_ROLES_RUNNING = ("gateway", "node", "node-worker")


@dataclass
class _Candidate:
    state_dir: Path
    home: AccountHome | None
    variant: str | None = None  # forced variant (override)
    config_path: Path | None = None
    pids: set[int] = field(default_factory=set)


@dataclass
class _HostContext:
    homes: list[AccountHome]
    processes: dict[int, AgentProcess]
    services: list[ServiceDefinition]
    service_problems: list[tuple[Path, SafeIOError]]
    in_container: bool
    fingerprinter: Fingerprinter
    system_wide: bool


def _norm(path: Path | str) -> str:
    return os.path.normpath(str(path))


def _install_id(state_dir: Path) -> str:
    digest = hashlib.sha256(f"{socket.gethostname()}\0{_norm(state_dir)}".encode()).hexdigest()
    return digest[:16]


def _homes(homes: Sequence[Path] | None) -> list[AccountHome]:
    if homes is None:
        return platform.account_homes()
    out = []
    for given in homes:
        home = Path(os.path.abspath(given))  # relative --home DIR: anchor at the cwd (symlinks kept)
        try:
            uid: int | None = os.stat(home).st_uid
        except OSError:
            uid = None
        out.append(AccountHome(platform.owner_name(uid) or home.name, uid, home))
    return out


def _home_of(path: Path, homes: list[AccountHome]) -> AccountHome | None:
    text = _norm(path)
    best: AccountHome | None = None
    for home in homes:
        prefix = _norm(home.home).rstrip(os.sep) + os.sep
        if text.startswith(prefix) and (best is None or len(str(home.home)) > len(str(best.home))):
            best = home
    return best


def _services(
    homes: list[AccountHome], system_wide: bool
) -> tuple[list[ServiceDefinition], list[tuple[Path, SafeIOError]]]:
    found: list[ServiceDefinition] = []
    problems: list[tuple[Path, SafeIOError]] = []
    paths = [(p, "user") for h in homes for p in locations.service_definition_paths(h.home)]
    if system_wide:
        paths += [(p, "system") for p in locations.system_service_definition_paths()]
    for path, scope in paths:
        result = read_definition(path, scope)
        if isinstance(result, SafeIOError):
            problems.append((path, result))
        else:
            found.append(result)
    return found, problems


def _candidates(ctx: _HostContext, limit_to_homes: bool) -> list[_Candidate]:
    by_dir: dict[str, _Candidate] = {}

    def add(state_dir: Path, home: AccountHome | None, variant: str | None = None) -> _Candidate:
        key = _norm(state_dir)
        if key not in by_dir:
            by_dir[key] = _Candidate(Path(key), home, variant)
        return by_dir[key]

    for account in ctx.homes:
        for found in locations.candidate_state_dirs(account.home):
            add(found, account)
    for proc in ctx.processes.values():
        proc_home = _process_home(proc, ctx.homes)
        hinted, config_path = state_dir_hint(proc, proc_home.home if proc_home else None)
        if hinted is None and config_path is not None:
            hinted = config_path.parent
        if hinted is None or not hinted.is_dir():
            continue
        owner_home = _home_of(hinted, ctx.homes)
        if limit_to_homes and owner_home is None:
            continue
        override = any(k.endswith(("STATE_DIR", "CONFIG_PATH")) for k in proc.env)
        cand = add(hinted, owner_home, "override" if override and _norm(hinted) not in by_dir else None)
        if config_path is not None:
            cand.config_path = config_path
    for service in ctx.services:
        for text in [*service.state_dirs, *(v for k, v in service.env.items() if k.endswith("STATE_DIR"))]:
            named = Path(text)
            named_home = _home_of(named, ctx.homes)
            if named.is_dir() and not (limit_to_homes and named_home is None):
                add(named, named_home)
    return sorted(by_dir.values(), key=lambda c: str(c.state_dir))


def _process_home(proc: AgentProcess, homes: list[AccountHome]) -> AccountHome | None:
    home_env = proc.env.get("HOME") or proc.env.get("USERPROFILE")
    if home_env:
        match = next((h for h in homes if _norm(h.home) == _norm(Path(home_env))), None)
        return match or AccountHome(proc.username or "?", proc.uid, Path(home_env))
    return next((h for h in homes if h.uid is not None and h.uid == proc.uid), None)


def _link_processes(cand: _Candidate, ctx: _HostContext, locks: list[GatewayLock]) -> set[int]:
    pids: set[int] = set()
    for lock in locks:
        if lock.pid in ctx.processes:
            pids.add(lock.pid)
    for proc in ctx.processes.values():
        home = _process_home(proc, ctx.homes)
        state_dir, config_path = state_dir_hint(proc, home.home if home else None)
        if state_dir is not None and _norm(state_dir) == _norm(cand.state_dir):
            pids.add(proc.pid)
        elif config_path is not None and _norm(config_path.parent) == _norm(cand.state_dir):
            pids.add(proc.pid)
    # descendants that are OpenClaw processes too (workers, node-worker, gmail watcher)
    changed = True
    while changed:
        changed = False
        for proc in ctx.processes.values():
            if proc.pid not in pids and proc.ppid in pids:
                pids.add(proc.pid)
                changed = True
    return pids


def _config(cand: _Candidate) -> LoadedConfig | None:
    path = cand.config_path or find_config(cand.state_dir)
    if path is None:
        return None
    parent, state = _norm(path.parent), _norm(cand.state_dir)
    inside = parent == state or parent.startswith(state + os.sep)
    return load_config(path, root=cand.state_dir if inside else path.parent)


def _problem_finding(kind: str, path: str, detail: str, install_id: str) -> Finding:
    if kind == "symlink":
        return make("CW-SYMLINK-NOT-FOLLOWED", evidence=detail or "symbolic link", install_id=install_id, path=path)
    if kind in ("parse_error", "not_object", "include_invalid", "include_outside", "include_limit"):
        return make("CW-CONFIG-INVALID", evidence=f"{kind}: {detail}", install_id=install_id, path=path)
    if kind == "sqlite":
        return make("CW-SQLITE-UNREADABLE", evidence=detail, install_id=install_id, path=path)
    return make("CW-UNREADABLE", evidence=f"{kind}: {detail}".strip(": "), install_id=install_id, path=path)


def _grant_facts(state_dir: Path, home: AccountHome | None, collector: CredentialCollector) -> GrantFacts:
    facts = GrantFacts(credentials=list(collector.credentials))
    try:
        if any(e.kind == "dir" for e in list_dir(state_dir, "credentials/whatsapp")):
            facts.whatsapp_session_dir = str(state_dir / "credentials/whatsapp")
    except SafeIOError:
        pass
    try:
        slack = [e for e in list_dir(state_dir, "npm/projects") if e.name.startswith("openclaw-slack")]
        if slack:
            facts.slack_plugin_dir = str(slack[0].path)
    except SafeIOError:
        pass
    if home is not None:
        gog = [c for c in collector.credentials if c.kind in ("gogcli_keyring_item", "google_oauth_client_secret")]
        if gog:
            facts.gog_store = gog[0].path
    return facts


def _version(
    cand: _Candidate, config: dict[str, object], procs: list[AgentProcess], services: list[ServiceDefinition]
) -> tuple[str | None, str | None]:
    for proc in procs:
        root = package_root_of(proc.script or proc.exe or "")
        if root is not None:
            _, version = package_version(root)
            if version:
                return version, str(root / "package.json")
            ui = control_ui_version(root)
            if ui:
                return ui, str(root / "dist/control-ui/index.html")
    for proc in procs:
        if proc.env.get("OPENCLAW_SERVICE_VERSION"):
            return proc.env["OPENCLAW_SERVICE_VERSION"][:40], f"process {proc.pid} OPENCLAW_SERVICE_VERSION"
    version = config_version(config)
    if version:
        return version, "config meta.lastTouchedVersion"
    for service in services:
        version = description_version(service.version_text)
        if version:
            return version, service.persistence.path
    return None, None


def _services_for(cand: _Candidate, ctx: _HostContext, product: str) -> list[ServiceDefinition]:
    """Services naming this state dir, else the default/profile services of its home (or of its user,
    for system units with ``User=``)."""
    out = []
    target = _norm(cand.state_dir)
    for service in ctx.services:
        named = [_norm(Path(d)) for d in service.state_dirs] + [
            _norm(Path(v)) for k, v in service.env.items() if k.endswith("STATE_DIR")
        ]
        if target in named:
            out.append(service)
        elif not named and cand.home is not None and _conventional_match(cand, service, product):
            out.append(service)
    return out


def _conventional_match(cand: _Candidate, service: ServiceDefinition, product: str) -> bool:
    assert cand.home is not None
    svc_product, svc_profile = service.product_profile
    if svc_product != product:
        return False
    wanted = f".{product}-{svc_profile}" if svc_profile else f".{product}"
    if cand.state_dir.name != wanted:
        return False
    in_home = _norm(service.persistence.path).startswith(_norm(cand.home.home) + os.sep)
    return in_home or (service.user is not None and service.user == cand.home.user)


def _scan_install(cand: _Candidate, ctx: _HostContext, sockets: list[SocketEntry]) -> tuple[Install, list[str]]:
    warnings: list[str] = []
    product, variant = locations.state_dir_product(cand.state_dir)
    variant = cand.variant or variant
    install_id = _install_id(cand.state_dir)
    findings: list[Finding] = []
    try:
        owner_uid: int | None = os.lstat(cand.state_dir).st_uid
    except OSError:
        owner_uid = None
    owner = platform.owner_name(owner_uid) or (cand.home.user if cand.home else None)
    collector = CredentialCollector(ctx.fingerprinter, platform.owner_name)
    config_data: dict[str, object] = {}
    config_path: str | None = None
    layout = "unknown"
    if is_symlink(cand.state_dir):
        findings.append(
            make(
                "CW-SYMLINK-NOT-FOLLOWED",
                evidence="state dir is a symbolic link; contents not read",
                install_id=install_id,
                path=str(cand.state_dir),
            )
        )
    else:
        loaded = _config(cand)
        problems: list[ConfigProblem | StoreProblem] = []
        if loaded is not None:
            config_path = str(loaded.path)
            config_data = dict(loaded.data)
            problems.extend(loaded.problems)
        layout = install_credentials(cand.state_dir, loaded.files if loaded else [], collector)
        if cand.home is not None:
            home_credentials(cand.home.home, collector)
        problems.extend(collector.problems)
        for problem in problems:
            findings.append(_problem_finding(problem.kind, problem.path, problem.detail, install_id))
            warnings.append(f"{problem.path}: {problem.kind} {problem.detail}".strip())
        _state_dir_perms(cand.state_dir, install_id, findings)
    services = _services_for(cand, ctx, product)
    for service in services:
        if service.data is not None:
            collector.add_all(service.secrets, service.data)
    pids = sorted(cand.pids)
    procs = [ctx.processes[p] for p in pids]
    listeners = listeners_for(set(pids), sockets)
    exposed, exposure = exposure_summary(config_data, listeners, ctx.in_container)
    evidence = grants_for(config_data, _grant_facts(cand.state_dir, cand.home, collector))
    version, version_source = _version(cand, config_data, procs, services)
    install = Install(
        install_id=install_id,
        product=product,  # type: ignore[arg-type]
        variant=variant,
        state_dir=str(cand.state_dir),
        config_path=config_path,
        owner=owner,
        version=version,
        version_source=version_source,
        layout=layout,  # type: ignore[arg-type]
        package_paths=sorted({str(r) for p in procs if (r := package_root_of(p.script or p.exe or ""))}),
        running=any(p.identity.role in _AGENT_ROLES_RUNNING for p in procs),
        pids=pids,
        listeners=listeners,
        exposed=exposed,
        exposure=exposure,
        grants=grant_names(evidence),
        grant_evidence=evidence,
        config_settings=risk_settings(config_data),
        credentials=collector.credentials,
        persistence=[s.persistence for s in services],
    )
    install.findings = install_findings(install) + findings
    return install, warnings


def _state_dir_perms(state_dir: Path, install_id: str, findings: list[Finding]) -> None:
    try:
        info = stat_entry(state_dir.parent, state_dir.name)
    except SafeIOError:
        return
    if info.mode & 0o077 and info.mode & 0o007:
        findings.append(
            make(
                "CW-STATE-DIR-PERMS",
                evidence=f"mode {info.mode:04o}",
                install_id=install_id,
                path=str(state_dir),
            )
        )


def _host_info() -> HostInfo:
    getuid = getattr(os, "getuid", None)
    return HostInfo(
        hostname=socket.gethostname(),
        os=platform.OS_NAME,
        os_version=pyplatform.release(),
        arch=pyplatform.machine(),
        sensor_version=__version__,
        scanned_at=datetime.now(UTC),
        is_root=bool(getuid is not None and getuid() == 0),
    )


def scan_host(
    homes: Sequence[Path] | None = None,
    *,
    include_processes: bool = True,
    salt: bytes | None = None,
    system_wide: bool = True,
) -> ScanReport:
    """Scan the host. ``homes=None`` takes every account home from the account database; a list
    replaces that list. ``system_wide`` (default) also reads system service/package dirs and follows
    running processes to state dirs anywhere; ``system_wide=False`` (``clawwatch scan --home``) stays
    inside the given homes: no system dirs, and processes count only when their state dir is in one."""
    account_homes = _homes(homes)
    wide = system_wide
    processes = {p.pid: p for p in agent_processes()} if include_processes else {}
    services, service_problems = _services(account_homes, wide)
    ctx = _HostContext(
        homes=account_homes,
        processes=processes,
        services=services,
        service_problems=service_problems,
        in_container=platform.in_container(),
        fingerprinter=Fingerprinter(salt if salt is not None else load_or_create_salt()),
        system_wide=wide,
    )
    sockets = snapshot() if processes else []
    report = ScanReport(host=_host_info())
    for path, error in service_problems:
        report.warnings.append(f"{path}: {error.reason} {error.detail}".strip())
        report.findings.append(_problem_finding(error.reason, str(path), error.detail, ""))
    linked: set[str] = set()
    for cand in _candidates(ctx, limit_to_homes=not wide):
        cand.pids = _link_processes(cand, ctx, read_locks(cand.state_dir))
        install, warnings = _scan_install(cand, ctx, sockets)
        report.installs.append(install)
        report.warnings.extend(warnings)
        report.findings.extend(install.findings)
        linked.update(p.path for p in install.persistence)
    for service in services:
        if service.persistence.path not in linked:  # a unit left behind, or one for a dir we cannot see
            entry = service.persistence
            evidence = f"{entry.mechanism} {entry.name} ({entry.role}); no matching state dir found"
            report.findings.append(make("CW-PERSISTENCE", evidence=evidence, path=entry.path))
    report.packages = _packages(account_homes, wide)
    return report


def _packages(homes: list[AccountHome], system_wide: bool) -> list[PackageInstall]:
    return find_packages(homes, system_wide)

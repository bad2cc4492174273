"""Credential-file access: catalogue expansion, fanotify (root) and inotify (any user) backends,
against real files in a scratch home read by real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sensor.attribution.ancestry import AncestryCache
from sensor.sources.files.base import CatalogueEntry
from sensor.sources.files.catalogue import entries, expand, kind_of
from sensor.sources.files.inotify import InotifyBackend
from sensor.sources.files.linux import HOME_ENTRIES
from sensor.sources.files.source import FileAccessSource
from sensor.sources.observations import FileOpened
from sensor.sources.processes.linux import ProcReader
from tests.unit.sources.agent_like import start_agent_like, stop
from tests.unit.sources.conftest import Collector, needs_root

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file backends")

SECRET = "FAKE-CANARY-ssh-key-body-0123456789"

AGENT_HOLDS_FILE_OPEN = """
import sys, time
sys.stdin.readline()
with open(sys.argv[2]) as fh:
    print("open", flush=True)
    time.sleep(3)
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / ".ssh").mkdir(parents=True)
    (h / ".ssh" / "id_ed25519").write_text(SECRET)
    (h / ".ssh" / "id_ed25519.pub").write_text("ssh-ed25519 AAAA public")
    (h / ".aws").mkdir()
    (h / ".aws" / "credentials").write_text("[default]\naws_secret_access_key=FAKE")
    return h


def _source(backend, home: Path, cache: AncestryCache) -> FileAccessSource:  # type: ignore[no-untyped-def]
    return FileAccessSource(
        backend=backend,
        degraded_reason=None,
        homes=lambda: [("tester", home)],
        state_dirs=list,
        home_entries=HOME_ENTRIES,
        ancestry=cache,
        rescan_interval=60,
    )


def test_catalogue_kinds_and_public_key_excluded() -> None:
    entries = HOME_ENTRIES
    ssh = [e for e in entries if e.directory == ".ssh"]
    assert kind_of("id_ed25519", ssh) == "ssh_private_key"
    assert kind_of("id_ed25519.pub", ssh) is None
    assert kind_of("known_hosts", ssh) is None


def test_catalogue_rows_become_entries() -> None:
    assert entries(
        ("ssh_private_key", ".ssh/id_* !*.pub", ".ssh/*.pem"),
        ("netrc", ".netrc"),
        ("password_store", ".password-store/**/*.gpg"),
        ("openclaw_channel_credentials", "**/*"),
    ) == (
        CatalogueEntry(".ssh", "id_*", "ssh_private_key", exclude="*.pub"),
        CatalogueEntry(".ssh", "*.pem", "ssh_private_key"),
        CatalogueEntry("", ".netrc", "netrc"),
        CatalogueEntry(".password-store", "*.gpg", "password_store", recursive=True),
        CatalogueEntry("", "*", "openclaw_channel_credentials", recursive=True),
    )


@pytest.mark.parametrize("row", [("kind",), ("kind", "a/**/b/*"), ("kind", "a/**"), ("kind", "a/")])
def test_catalogue_rejects_malformed_rows(row: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="catalogue"):
        entries(row)


def test_expand_does_not_follow_symlinked_dirs(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    home = tmp_path / "h"
    home.mkdir()
    (home / ".ssh").symlink_to(outside)
    (home / ".aws").mkdir()
    targets = expand(home, HOME_ENTRIES, "u")
    paths = {t.path for t in targets}
    assert home / ".aws" in paths
    assert home / ".ssh" not in paths and outside not in paths


def test_expand_wildcard_profile_dirs(tmp_path: Path) -> None:
    profile = tmp_path / ".config" / "google-chrome" / "Profile 1"
    profile.mkdir(parents=True)
    targets = expand(tmp_path, [CatalogueEntry(".config/google-chrome/*", "Cookies", "browser_cookies")], None)
    assert [t.path for t in targets] == [profile]


@pytest.mark.root
def test_fanotify_reports_reader_pid_and_kind(home: Path, collector: Collector) -> None:
    needs_root()
    from sensor.sources.files.fanotify import FanotifyBackend

    cache = AncestryCache(ProcReader())
    source = _source(FanotifyBackend(), home, cache)
    source.start(collector)
    try:
        key = home / ".ssh" / "id_ed25519"
        proc = subprocess.Popen(["/bin/cat", str(key)], stdout=subprocess.DEVNULL)
        obs = collector.wait_for(lambda o: isinstance(o, FileOpened) and o.path == str(key))
        assert proc.wait() == 0  # reaped only now: until then /proc/<pid> stays readable
        assert isinstance(obs, FileOpened)
        assert obs.kind == "ssh_private_key" and obs.owner == "tester" and obs.confidence == "exact"
        # the reader's PID comes with the event; cat may be a zombie by now, so only its comm is sure
        assert obs.pid == proc.pid and obs.node is not None and obs.node.info.name == "cat"
        assert obs.node.info.ppid == os.getpid()
        # public key and unrelated files in a watched dir are ignored
        subprocess.run(["/bin/cat", str(home / ".ssh" / "id_ed25519.pub")], stdout=subprocess.DEVNULL, check=True)
        time.sleep(0.5)
        assert not [o for o in collector.items if isinstance(o, FileOpened) and o.path.endswith(".pub")]
        assert source.counters["ignored_opens"] >= 1
    finally:
        source.stop()


@pytest.mark.root
def test_fanotify_covers_file_created_after_start(home: Path, collector: Collector) -> None:
    needs_root()
    from sensor.sources.files.fanotify import FanotifyBackend

    source = _source(FanotifyBackend(), home, AncestryCache(ProcReader()))
    source.start(collector)
    try:
        late = home / ".ssh" / "id_rsa"
        late.write_text("FAKE")
        subprocess.run(["/bin/cat", str(late)], stdout=subprocess.DEVNULL, check=True)
        obs = collector.wait_for(lambda o: isinstance(o, FileOpened) and o.path == str(late))
        assert isinstance(obs, FileOpened) and obs.kind == "ssh_private_key"
    finally:
        source.stop()


def test_inotify_path_best_effort_attribution_to_agent_holding_file(
    home: Path, tmp_path: Path, collector: Collector
) -> None:
    """The non-root path: inotify events carry no PID; an agent-tree process holding the file open
    is found through its open files."""
    cache = AncestryCache(ProcReader())
    source = _source(InotifyBackend(), home, cache)
    source.start(collector)
    agent = None
    try:
        key = home / ".aws" / "credentials"
        agent = start_agent_like(tmp_path / "agent", AGENT_HOLDS_FILE_OPEN, str(key))
        cache.resolve(agent.pid)  # the daemon's process source does this at exec
        assert agent.stdin is not None and agent.stdout is not None
        agent.stdin.write(b"go\n")
        agent.stdin.flush()
        assert agent.stdout.readline().strip() == b"open"
        obs = collector.wait_for(lambda o: isinstance(o, FileOpened) and o.path == str(key))
        assert isinstance(obs, FileOpened)
        assert obs.kind == "aws_credentials" and obs.confidence == "best-effort"
        assert obs.node is not None and obs.node.pid == agent.pid
        assert obs.node.attribution is not None and obs.node.attribution.root_pid == agent.pid
    finally:
        if agent is not None:
            stop(agent)
        source.stop()


def test_inotify_path_unattributed_read_still_reported(home: Path, collector: Collector) -> None:
    source = _source(InotifyBackend(), home, AncestryCache(ProcReader()))
    source.start(collector)
    try:
        key = home / ".ssh" / "id_ed25519"
        subprocess.run(["/bin/cat", str(key)], stdout=subprocess.DEVNULL, check=True)
        obs = collector.wait_for(lambda o: isinstance(o, FileOpened) and o.path == str(key))
        assert isinstance(obs, FileOpened) and obs.node is None and obs.confidence == "best-effort"
    finally:
        source.stop()


def test_no_secret_value_in_observations(home: Path, collector: Collector) -> None:
    source = _source(InotifyBackend(), home, AncestryCache(ProcReader()))
    source.start(collector)
    try:
        subprocess.run(["/bin/cat", str(home / ".ssh" / "id_ed25519")], stdout=subprocess.DEVNULL, check=True)
        collector.wait_for(lambda o: isinstance(o, FileOpened))
        assert SECRET not in repr(collector.items)
    finally:
        source.stop()


def test_os_user_is_not_required(home: Path) -> None:
    assert os.access(home, os.R_OK)


@pytest.mark.root
def test_reader_reaped_before_lookup_is_attributed_from_fork_record(home: Path, collector: Collector) -> None:
    """A reader gone from /proc when its open is handled: the open waits for the process source
    (here: the fork notification it would have recorded) instead of being reported without a reader."""
    needs_root()
    from sensor.sources.files.fanotify import FanotifyBackend

    cache = AncestryCache(ProcReader())
    source = _source(FanotifyBackend(), home, cache)
    source.start(collector)
    try:
        key = home / ".ssh" / "id_ed25519"
        proc = subprocess.Popen(["/bin/cat", str(key)], stdout=subprocess.DEVNULL)
        proc.wait()  # reaped: /proc/<pid> is gone before the source looks
        cache.note_fork(proc.pid, os.getpid())  # what the netlink trigger reports, possibly late
        obs = collector.wait_for(lambda o: isinstance(o, FileOpened) and o.path == str(key))
        assert isinstance(obs, FileOpened) and obs.pid == proc.pid
        assert obs.node is not None and obs.node.info.ppid == os.getpid()
    finally:
        source.stop()

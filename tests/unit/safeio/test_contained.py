"""safeio: symlinks are never followed below the base, FIFOs never block, sizes are capped."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sensor.safeio import SafeIOError, list_dir, read_file, stat_entry, walk_files
from tests.support.paths import shared_scratch_root


@pytest.fixture
def base(tmp_path: Path) -> Path:
    root = tmp_path / "state"
    (root / "agents/main/agent").mkdir(parents=True)
    (root / "openclaw.json").write_text('{"a": 1}')
    (root / "agents/main/agent/auth-profiles.json").write_text("{}")
    return root


def test_reads_regular_file(base: Path) -> None:
    data = read_file(base, "openclaw.json")
    assert data.data == b'{"a": 1}'
    assert data.size == 8
    assert data.uid == os.getuid()


def test_symlinked_file_is_not_followed(base: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hash")
    (base / "openclaw.json").unlink()
    (base / "openclaw.json").symlink_to(secret)
    with pytest.raises(SafeIOError) as err:
        read_file(base, "openclaw.json")
    assert err.value.reason == "symlink"


def test_symlinked_directory_component_is_not_followed(base: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "auth-profiles.json").write_text("{}")
    (base / "agents/evil").mkdir()
    (base / "agents/evil/agent").symlink_to(outside)
    with pytest.raises(SafeIOError) as err:
        read_file(base, "agents/evil/agent/auth-profiles.json")
    assert err.value.reason == "symlink"


def test_dotdot_and_absolute_are_refused(base: Path) -> None:
    for bad in ("../x", "agents/../../x", "/etc/passwd"):
        with pytest.raises(SafeIOError) as err:
            read_file(base, bad)
        assert err.value.reason == "bad_path"


def test_fifo_does_not_block(base: Path) -> None:
    os.mkfifo(base / "secrets.json")
    result: list[str] = []

    def attempt() -> None:
        try:
            read_file(base, "secrets.json")
        except SafeIOError as exc:
            result.append(exc.reason)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert result == ["not_regular"]


def test_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SafeIOError) as err:
        read_file(Path("/dev"), "zero")
    assert err.value.reason == "not_regular"


def test_directory_where_file_expected(base: Path) -> None:
    (base / "secrets.json").mkdir()
    with pytest.raises(SafeIOError) as err:
        read_file(base, "secrets.json")
    assert err.value.reason == "is_directory"


def test_size_cap(base: Path) -> None:
    (base / "big.json").write_bytes(b"x" * 5000)
    with pytest.raises(SafeIOError) as err:
        read_file(base, "big.json", max_bytes=4096)
    assert err.value.reason == "too_large"
    assert read_file(base, "big.json", max_bytes=5000).size == 5000


def test_missing(base: Path) -> None:
    with pytest.raises(SafeIOError) as err:
        read_file(base, "nope.json")
    assert err.value.reason == "missing"


def _reason_as_nobody(base: Path, relative: str) -> str:
    """read_file in a forked child that dropped to uid/gid 65534 (the test itself may run as root)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 0
        try:
            os.close(read_fd)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            try:
                read_file(base, relative)
                reason = "read"
            except SafeIOError as exc:
                reason = exc.reason
            os.write(write_fd, reason.encode())
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        reason = pipe.read().decode()
    os.waitpid(pid, 0)
    return reason


@pytest.fixture
def shared_base() -> Iterator[Path]:
    """Like ``base``, but where uid 65534 can reach it (pytest's tmp_path may sit under a 0700 /tmp)."""
    scratch = Path(tempfile.mkdtemp(prefix="cw-safeio-", dir=shared_scratch_root()))
    try:
        scratch.chmod(0o755)
        root = scratch / "state"
        (root / "agents/main/agent").mkdir(parents=True)
        (root / "openclaw.json").write_text('{"a": 1}')
        root.chmod(0o755)
        yield root
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_unreadable(shared_base: Path) -> None:
    (shared_base / "openclaw.json").chmod(0o000)  # unreadable for the dropped root and for a non-root owner alike
    assert _reason_as_nobody(shared_base, "openclaw.json") == "unreadable"
    (shared_base / "openclaw.json").chmod(0o644)
    assert _reason_as_nobody(shared_base, "openclaw.json") == "read"


def test_list_dir_reports_symlinks_without_following(base: Path, tmp_path: Path) -> None:
    (base / "link").symlink_to(tmp_path)
    kinds = {e.name: e.kind for e in list_dir(base)}
    assert kinds == {"agents": "dir", "openclaw.json": "file", "link": "symlink"}
    assert stat_entry(base, "link").kind == "symlink"


def test_walk_does_not_enter_symlinked_dirs(base: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    (base / "agents/main/linked").symlink_to(outside)
    found = {str(rel) for rel, _ in walk_files(base, "agents")}
    assert found == {"agents/main/agent/auth-profiles.json", "agents/main/linked"}


def test_no_descriptor_leak(base: Path) -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(50):
        list_dir(base, "agents/main")
        read_file(base, "openclaw.json")
        list(walk_files(base))
        try:
            read_file(base, "missing/x.json")
        except SafeIOError:
            pass
    assert len(os.listdir("/proc/self/fd")) == before


def test_huge_directory_listing_is_capped(tmp_path: Path) -> None:
    for i in range(300):
        (tmp_path / f"f{i:04d}").write_text("")
    assert len(list_dir(tmp_path, limit=100)) == 100

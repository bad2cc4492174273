"""safeio: symlinks are never followed below the base, FIFOs never block, sizes are capped."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from sensor.safeio import SafeIOError, list_dir, read_file, stat_entry, walk_files


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


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads any file; permission test needs an unprivileged user"
)
def test_unreadable(base: Path) -> None:
    (base / "openclaw.json").chmod(0)
    with pytest.raises(SafeIOError) as err:
        read_file(base, "openclaw.json")
    assert err.value.reason == "unreadable"


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

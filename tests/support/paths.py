"""Where tests find things outside the repo: the SigmaHQ rules in shared/ beside the checkout, and
:func:`sigmahq_root` for the SigmaHQ folders shared/ does not hold (the Windows rules)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[2]

# CI clones the repo with shared/ beside it (../shared); a developer may point elsewhere.
SIGMAHQ_RULES = Path(os.environ.get("CLAWWATCH_SIGMAHQ_RULES", str(REPO.parent / "shared" / "sigmahq" / "rules")))
# A local `fetch` snapshot of SigmaHQ/sigma (a bare git directory, or a folder holding one as repo/).
SIGMAHQ_SNAPSHOT = Path(os.environ.get("CLAWWATCH_SIGMAHQ_SNAPSHOT", "/work/.mirror/SigmaHQ+sigma"))
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clawwatch"


class SigmaHQMissing(LookupError):
    """No SigmaHQ checkout here holds what a test needs; the message says where it looked and what to set."""


def _holds(root: Path, wanted: tuple[str, ...]) -> bool:
    return all(any(p.is_dir() for p in root.glob(pattern)) for pattern in wanted)


def _snapshot_git_dir(snapshot: Path) -> Path | None:
    for candidate in (snapshot, snapshot / "repo"):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _matches(path: str, pattern: str) -> bool:
    parts, globs = PurePosixPath(path).parts, PurePosixPath(pattern).parts
    return len(parts) == len(globs) and all(fnmatchcase(p, g) for p, g in zip(parts, globs, strict=True))


def _extract_from_snapshot(git_dir: Path, wanted: tuple[str, ...]) -> Path:
    def git(*args: str) -> bytes:
        return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True,
                              timeout=600).stdout

    commit = git("rev-parse", "HEAD").decode().strip()
    folders = git("ls-tree", "-r", "-d", "--name-only", "HEAD").decode().splitlines()
    paths: list[str] = []
    for pattern in wanted:
        found = [f for f in folders if _matches(f, pattern)]
        if not found:
            raise SigmaHQMissing(f"the SigmaHQ snapshot {git_dir} (commit {commit[:12]}) has no {pattern}")
        paths += found
    key = hashlib.sha256("\0".join(sorted(set(paths))).encode()).hexdigest()[:10]
    target = CACHE / f"sigmahq-{commit[:12]}-{key}"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=CACHE))
    try:
        with tarfile.open(fileobj=io.BytesIO(git("archive", "--format=tar", "HEAD", "--", *sorted(set(paths))))) as tar:
            tar.extractall(staging, filter="data")
        staging.rename(target)
    except OSError:
        if not target.is_dir():  # not a lost race with another test worker
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def sigmahq_root(*wanted: str) -> Path:
    """A SigmaHQ/sigma checkout root holding a folder for every glob in ``wanted`` (e.g. ``"rules*/windows"``,
    ``"regression_data"``), looked for in this order:

    1. ``CLAWWATCH_SIGMAHQ_ROOT``: a SigmaHQ checkout; when set it must hold them (ValueError, not a skip);
    2. the SigmaHQ folder beside the checkout (``SIGMAHQ_RULES.parent``, ../shared/sigmahq: Linux and macOS
       rules only today);
    3. the local fetch snapshot (``CLAWWATCH_SIGMAHQ_SNAPSHOT``, default /work/.mirror/SigmaHQ+sigma): the
       matching folders of its HEAD, extracted once with ``git archive`` into ~/.cache/clawwatch/sigmahq-<commit>-<key>/
       (read at test time only: nothing of a snapshot enters the repository).

    Raises :class:`SigmaHQMissing` (tests skip with its message) when none holds them.
    """
    configured = os.environ.get("CLAWWATCH_SIGMAHQ_ROOT")
    if configured:
        if not _holds(Path(configured), wanted):
            raise ValueError(f"CLAWWATCH_SIGMAHQ_ROOT={configured} holds no {' / '.join(wanted)}")
        return Path(configured)
    if _holds(SIGMAHQ_RULES.parent, wanted):
        return SIGMAHQ_RULES.parent
    git_dir = _snapshot_git_dir(SIGMAHQ_SNAPSHOT)
    if git_dir is not None:
        return _extract_from_snapshot(git_dir, wanted)
    raise SigmaHQMissing(
        f"no SigmaHQ checkout with {' and '.join(wanted)}: {SIGMAHQ_RULES.parent} lacks them and there is no "
        f"snapshot at {SIGMAHQ_SNAPSHOT}; set CLAWWATCH_SIGMAHQ_ROOT to a checkout of SigmaHQ/sigma"
    )


def _traversable_by_others(path: Path) -> bool:
    """Every directory from / down to ``path`` lets other users pass (o+x)."""
    current = path.resolve()
    for directory in (current, *current.parents):
        try:
            if not directory.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def shared_scratch_root() -> Path:
    """A directory other users can reach, for tests that run code as another user (e.g. uid 65534).

    pytest's ``tmp_path`` lives under /tmp, which is mode 0700 on some machines; /var/tmp, /dev/shm
    or a folder in the checkout are tried in that order, and the first one every parent of which is
    traversable wins."""
    for candidate in (Path("/var/tmp"), Path("/dev/shm"), REPO / ".test-scratch"):
        try:
            candidate.mkdir(exist_ok=True)
        except OSError:
            continue
        if _traversable_by_others(candidate):
            return candidate
    raise RuntimeError("no directory traversable by other users: /var/tmp, /dev/shm and the checkout are not")

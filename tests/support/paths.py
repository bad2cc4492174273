"""Where tests find things outside the repo: the SigmaHQ rules in shared/ beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# CI clones the repo with shared/ beside it (../shared); a developer may point elsewhere.
SIGMAHQ_RULES = Path(os.environ.get("CLAWWATCH_SIGMAHQ_RULES", str(REPO.parent / "shared" / "sigmahq" / "rules")))


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

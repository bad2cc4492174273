"""Where tests find things outside the repo: the SigmaHQ rules in shared/ beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# CI clones the repo with shared/ beside it (../shared); a developer may point elsewhere.
SIGMAHQ_RULES = Path(os.environ.get("CLAWWATCH_SIGMAHQ_RULES", str(REPO.parent / "shared" / "sigmahq" / "rules")))

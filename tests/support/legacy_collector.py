"""The collector as it was before Alembic (numbered migrations 1 to 4 in ``cw_schema_version``), run from git.

``legacy_tree`` extracts ``collectors/`` and ``sensor/`` of ``LEGACY_COMMIT`` (the last commit of main with the
numbered migrations) with ``git archive``; code runs from that tree in a subprocess (PYTHONPATH first, working
directory inside it, so the tree's packages shadow the checkout's editable install) with this checkout's venv
for the third-party packages. So the databases the migration tests upgrade are built by that code itself, not
by a copy of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGACY_COMMIT = "8db751b74ffc22042f92df9ea07f63802683520f"


def legacy_tree(directory: Path) -> Path:
    """``collectors/`` and ``sensor/`` of LEGACY_COMMIT under ``directory`` (extracted once)."""
    tree = directory / f"legacy-{LEGACY_COMMIT[:12]}"
    if (tree / "collectors").is_dir():
        return tree
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", LEGACY_COMMIT, "collectors", "sensor"],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise RuntimeError(f"cannot read commit {LEGACY_COMMIT} from the repository's history (a shallow clone?): "
                           f"{archive.stderr.decode(errors='replace').strip()}")
    tree.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def legacy_env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    return env


# argv that runs the `clawwatch` dispatcher of whatever tree is first on PYTHONPATH (append its arguments)
DISPATCHER = [sys.executable, "-c", "import sys; from sensor.cli.main import main; sys.exit(main())"]


_BUILD = """
import sys
from collectors.store import migrations, open_store, tables
url, version = sys.argv[1], int(sys.argv[2])
store = open_store(url, migrate=False)
with store.engine.begin() as conn:
    tables.schema_version.create(conn)
    for migration in migrations.MIGRATIONS[:version]:
        migration.apply(conn)
        conn.execute(tables.schema_version.insert().values(version=migration.version, name=migration.name,
                                                           applied_at=0.0))
store.dispose()
"""


def build_numbered_database(tree: Path, url: str, version: int) -> None:
    """Bring a bare database to numbered ``version`` exactly, as a collector of that version left it."""
    result = subprocess.run([sys.executable, "-c", _BUILD, url, str(version)], cwd=tree, env=legacy_env(tree),
                            capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"the legacy collector could not build version {version}: {result.stderr[-2000:]}")

"""Which homes the daemon watches: the account database plus --home, or only --home (tests, audits)."""

from pathlib import Path

from sensor.daemon.assembly import home_list
from sensor.platform import account_homes


def test_only_homes_excludes_the_account_database(tmp_path: Path) -> None:
    only = [home for _, home in home_list([tmp_path], include_accounts=False)()]
    assert only == [tmp_path]


def test_default_adds_account_homes(tmp_path: Path) -> None:
    watched = {str(home) for _, home in home_list([tmp_path])()}
    assert str(tmp_path) in watched
    assert {str(a.home) for a in account_homes()} <= watched

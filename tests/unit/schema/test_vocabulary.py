"""The shared vocabularies: one declaration each, Sigma's level spelling, old spellings accepted and normalised."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sensor.schema.inventory import Finding
from sensor.schema.vocabulary import GRANTS, Grant, Level, Product


def test_levels_are_sigmas_in_rank_order() -> None:
    assert [level.value for level in Level] == ["informational", "low", "medium", "high", "critical"]
    assert [level.rank for level in Level] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("spelling", ["info", "INFO", "Informational", " informational "])
def test_old_and_odd_spellings_of_informational_are_read_and_normalised(spelling: str) -> None:
    assert Level(spelling) is Level.informational
    finding = Finding.model_validate({"id": "CW-LOCK-STALE", "severity": spelling, "title": "t"})
    assert finding.model_dump(mode="json")["severity"] == "informational"


def test_unknown_level_is_refused_where_it_matters_and_defaulted_where_asked() -> None:
    with pytest.raises(ValidationError):
        Finding.model_validate({"id": "CW-X", "severity": "severe", "title": "t"})
    assert Level.parse("severe", Level.medium) is Level.medium
    assert Level.parse(None, Level.informational) is Level.informational


def test_products_and_grants_keep_their_published_order() -> None:
    assert [p.value for p in Product] == ["openclaw", "clawdbot", "moltbot"]
    assert [p.display_name for p in Product] == ["OpenClaw", "Clawdbot", "Moltbot"]
    assert GRANTS == tuple(Grant)
    assert GRANTS[0] is Grant.shell and GRANTS[-1] is Grant.model_api_keys  # the collector's bit order

"""The prefilter only skips rules that cannot match; hostile events never crash matching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.engine import Engine
from tests.support.paths import SIGMAHQ_RULES

RULES = [Path(__file__).parent / "rules"]
SIGMAHQ = SIGMAHQ_RULES
if SIGMAHQ.is_dir():
    RULES.append(SIGMAHQ)

FILTERED = Engine.load(RULES)
PLAIN = Engine.load(RULES, prefilter=False)
PAIRS = {pair for rule in FILTERED.rules for clause in (rule.need or ()) for pair in clause}
LITERALS = sorted({lit for _, lit in PAIRS})
FIELDS = [
    *sorted({f for f, _ in PAIRS if not f.startswith("\x00")}),
    "Message",
    "Grants",
]

pieces = st.one_of(st.sampled_from(LITERALS), st.sampled_from(LITERALS).map(str.upper), st.text(max_size=8))
texts = st.lists(pieces, max_size=4).map("".join)
values = st.one_of(
    texts,
    st.integers(-5, 70000),
    st.booleans(),
    st.lists(texts, max_size=3),
    st.sampled_from(["10.1.2.3", "192.168.0.1x", "fd00::1", "169.254.169.254", "\x01Image\x02/bin/sh"]),
)
events = st.dictionaries(st.sampled_from(FIELDS), values, max_size=6)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events)
def test_prefilter_never_changes_what_matches(event: dict[str, Any]) -> None:
    assert FILTERED.match(event) == PLAIN.match(event)


@pytest.mark.parametrize(
    "event",
    [
        {"CommandLine": 10**5000},
        {"CommandLine": [[["nested"]]], "Image": {"a": 1}},
        {"CommandLine": "x\x01Image\x02/bin/bash", "Image": None},
        {"\x01Image\x02/bin/bash": "y", 7: "z"},
        {"CommandLine": "a" * 1_000_000 + " /bin/bash -c"},
        {"DestinationIp": "1" * 10_000, "DestinationPort": float("nan")},
        {"category": 3, "product": None, "service": ["x"]},
        {"CommandLine": "curl \ud800 | bash", "Image": "/bin/\udfff"},  # lone surrogates (valid JSON escapes)
    ],
)
def test_hostile_events_do_not_crash(event: dict[Any, Any]) -> None:
    assert isinstance(FILTERED.match(event), list)
    assert isinstance(FILTERED.process(event), list)


def test_lone_surrogates_still_match_string_rules() -> None:
    event = {"Image": "/usr/bin/node\ud800", "ParentImage": "/usr/bin/node\ud800"}
    assert FILTERED.match(event) == PLAIN.match(event) != []

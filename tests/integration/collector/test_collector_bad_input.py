"""Acceptance 3: bad input gets the right 4xx, stores nothing, and the collector stays up."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import orjson
import pytest

from tests.integration.collector.processes import ENROLL_SECRET, Collector, stored_seqs


def _enroll(collector: Collector, host_id: str) -> str:
    resp = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": ENROLL_SECRET, "host_id": host_id,
                                                        "hostname": "test"})
    assert resp.status_code == 200, resp.text
    token: str = resp.json()["token"]
    return token


def _batch(host_id: str, seqs: list[int], marker: str = "a") -> dict[str, Any]:
    return {"host_id": host_id, "records": [
        {"record_id": f"{host_id}:{s}", "host_id": host_id, "seq": s, "kind": "alert", "severity": 3,
         "created_at": "2026-11-22T04:00:00+00:00", "body": {"marker": marker}} for s in seqs]}


def _post(collector: Collector, token: str | None, data: bytes, **headers: str) -> Any:
    hdrs = {"Content-Type": "application/json", **headers}
    return collector.api("POST", "/api/v1/ingest", token, data=data, headers=hdrs)


Enrolled = tuple[Collector, str, str, str, str]


@pytest.fixture
def enrolled(shared_collector: Collector) -> Enrolled:
    """Two freshly enrolled hosts (ids unique to the test) on the module's collector; A holds seqs 1-3.
    Returns (collector, token_a, token_b, host_a, host_b)."""
    host_a, host_b = f"hosta{uuid.uuid4().hex[:12]}", f"hostb{uuid.uuid4().hex[:12]}"
    token_a = _enroll(shared_collector, host_a)
    token_b = _enroll(shared_collector, host_b)
    ok = _post(shared_collector, token_a, orjson.dumps(_batch(host_a, [1, 2, 3])))
    assert ok.status_code == 200 and ok.json()["inserted"] == 3
    return shared_collector, token_a, token_b, host_a, host_b


def _expect(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["detail"]["code"] == code


def test_bad_bodies_get_4xx_and_store_nothing(enrolled: Enrolled) -> None:
    collector, token_a, _, host_a, _ = enrolled
    good = _batch(host_a, [4])
    _expect(_post(collector, token_a, b'{"host_id": "%s", "records": [}' % host_a.encode()), 400, "malformed_json")
    _expect(_post(collector, token_a, b"\xff\xfe garbage"), 400, "malformed_json")
    wrong_types = dict(good, records=[dict(good["records"][0], seq="four", severity=[1])])
    _expect(_post(collector, token_a, orjson.dumps(wrong_types)), 422, "invalid_body")
    _expect(_post(collector, token_a, orjson.dumps({"records": 5})), 422, "invalid_body")
    too_severe = dict(good, records=[dict(good["records"][0], severity=9)])
    _expect(_post(collector, token_a, orjson.dumps(too_severe)), 422, "invalid_body")
    huge_seq = dict(good, records=[dict(good["records"][0], seq=2**70, record_id=f"{host_a}:{2**70}")])
    _expect(_post(collector, token_a, json.dumps(huge_seq).encode()), 422, "invalid_body")
    huge_int_body = dict(good, records=[dict(good["records"][0], body={"n": 2**80})])
    _expect(_post(collector, token_a, json.dumps(huge_int_body).encode()), 422, "invalid_body")
    _expect(_post(collector, token_a, orjson.dumps(good), **{"Content-Type": "text/plain"}), 415,
            "unsupported_media_type")
    _expect(_post(collector, token_a, orjson.dumps(good), **{"Content-Encoding": "br"}), 415,
            "unsupported_encoding")
    _expect(_post(collector, token_a, b"\x1f\x8b not really gzip", **{"Content-Encoding": "gzip"}), 400,
            "malformed_json")
    assert [s for s, _ in stored_seqs(collector.db_url, host_a)] == [1, 2, 3]
    assert collector.alive()


def test_huge_bodies_and_gzip_bombs_get_413(enrolled: Enrolled) -> None:
    collector, token_a, _, host_a, _ = enrolled
    big = _batch(host_a, [4])
    big["records"][0]["body"] = {"pad": "x" * (9 * 1024 * 1024)}
    _expect(_post(collector, token_a, orjson.dumps(big)), 413, "body_too_large")
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    _expect(_post(collector, token_a, bomb, **{"Content-Encoding": "gzip"}), 413, "body_too_large")
    many = _batch(host_a, list(range(4, 4 + 5001)))
    _expect(_post(collector, token_a, orjson.dumps(many)), 422, "invalid_body")
    assert [s for s, _ in stored_seqs(collector.db_url, host_a)] == [1, 2, 3]
    assert collector.alive()


def test_tokens_roles_and_hosts(enrolled: Enrolled) -> None:
    collector, token_a, token_b, host_a, host_b = enrolled
    body = orjson.dumps(_batch(host_a, [4]))
    missing = _post(collector, None, body)
    _expect(missing, 401, "missing_token")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    wrong = _post(collector, "cw_not_a_real_token", body)
    _expect(wrong, 401, "invalid_credential")
    assert "cw_not_a_real_token" not in wrong.text
    _expect(_post(collector, token_b, body), 403, "host_mismatch")  # B's token, A's records
    _expect(_post(collector, collector.admin_token, body), 403, "forbidden_role")
    _expect(collector.api("GET", "/api/v1/delivery/hosts", token_a), 403, "forbidden_role")
    _expect(collector.api("POST", "/api/v1/admin/tokens", token_a, json={"role": "admin"}), 403,
            "forbidden_role")
    bad_secret = collector.api("POST", "/api/v1/enroll", json={"enroll_secret": "guess-guess-guess",
                                                               "host_id": host_a})
    _expect(bad_secret, 401, "invalid_enroll_secret")
    assert "guess-guess-guess" not in bad_secret.text
    # An analyst token made by the admin reads but cannot write or administer.
    made = collector.api("POST", "/api/v1/admin/tokens", collector.admin_token,
                         json={"role": "analyst", "label": "soc"})
    assert made.status_code == 200
    analyst = made.json()["token"]
    assert collector.api("GET", "/api/v1/delivery/hosts", analyst).status_code == 200
    _expect(_post(collector, analyst, body), 403, "forbidden_role")
    _expect(collector.api("POST", "/api/v1/admin/tokens", analyst, json={"role": "admin"}), 403,
            "forbidden_role")
    # Re-enrolling revokes the old token: the sensor then gets invalid_credential and enrolls again.
    new_a = _enroll(collector, host_a)
    _expect(_post(collector, token_a, body), 401, "invalid_credential")
    assert _post(collector, new_a, body).status_code == 200
    assert [s for s, _ in stored_seqs(collector.db_url, host_a)] == [1, 2, 3, 4]
    assert stored_seqs(collector.db_url, host_b) == []
    assert collector.alive()


def test_replays_and_rewrites_are_refused(enrolled: Enrolled) -> None:
    collector, token_a, _, host_a, _ = enrolled
    replay = _post(collector, token_a, orjson.dumps(_batch(host_a, [1, 2, 3])))
    _expect(replay, 409, "replayed_batch")
    assert replay.json()["detail"]["acked"] == [1, 2, 3]  # the sender may delete its copies
    rewrite = _post(collector, token_a, orjson.dumps(_batch(host_a, [3, 4], marker="tampered")))
    _expect(rewrite, 409, "seq_conflict")
    assert [s for s, _ in stored_seqs(collector.db_url, host_a)] == [1, 2, 3]  # 4 not stored either
    host = collector.host(host_a)
    assert host["record_count"] == 3 and host["duplicate_count"] == 3
    assert collector.alive()

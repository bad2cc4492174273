"""Authorization: every collector endpoint answered for each role (none, sensor, analyst, admin).

Analysts read (and triage) but cannot mint tokens; sensors read nothing; the console takes only analyst
and admin tokens. The table must cover every path the OpenAPI document lists, so a new endpoint without
a row here fails the test.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from tests.integration.fleet.conftest import FleetEnv, FleetHost
from tests.integration.fleet.inventories import alert, install, report

ROLES = ("none", "sensor", "analyst", "admin")
READ = {"none": 401, "sensor": 403, "analyst": 200, "admin": 200}
ADMIN = {"none": 401, "sensor": 403, "analyst": 403, "admin": 200}
SENSOR = {"none": 401, "sensor": 200, "analyst": 403, "admin": 403}
PUBLIC = {"none": 200, "sensor": 200, "analyst": 200, "admin": 200}


@dataclass
class Case:
    method: str
    template: str  # the OpenAPI path it covers
    expect: dict[str, int]
    path: Callable[[FleetEnv, FleetHost, str], str] | None = None
    body: Callable[[FleetEnv, FleetHost, str], Any] | None = None


def _token_id(env: FleetEnv, _h: FleetHost, _r: str) -> str:
    resp = env.collector.api("POST", "/api/v1/admin/tokens", env.admin, json={"role": "analyst"})
    return f"/api/v1/admin/tokens/{resp.json()['token_id']}"


def _secret_id(env: FleetEnv, _h: FleetHost, _r: str) -> str:
    resp = env.collector.api("POST", "/api/v1/admin/enroll-secrets", env.admin, json={})
    return f"/api/v1/admin/enroll-secrets/{resp.json()['secret_id']}"


def _ingest_body(env: FleetEnv, host: FleetHost, _r: str) -> Any:
    host.seq += 1
    return {"host_id": host.host_id, "records": [{
        "record_id": f"{host.host_id}:{host.seq}", "host_id": host.host_id, "seq": host.seq, "kind": "heartbeat",
        "created_at": "2026-11-22T04:00:00+00:00", "body": {}}]}


CASES = [
    Case("GET", "/healthz", PUBLIC),
    Case("POST", "/api/v1/enroll", PUBLIC, body=lambda env, h, r: {
        "enroll_secret": "test-enroll-secret-0123456789", "host_id": f"h-{secrets.token_hex(6)}"}),
    Case("POST", "/api/v1/ingest", SENSOR, body=_ingest_body),
    Case("GET", "/api/v1/delivery/hosts", READ),
    Case("GET", "/api/v1/delivery/hosts/{host_id}", READ, path=lambda env, h, r: f"/api/v1/delivery/hosts/{h.host_id}"),
    Case("POST", "/api/v1/admin/tokens", ADMIN, body=lambda env, h, r: {"role": "analyst"}),
    Case("DELETE", "/api/v1/admin/tokens/{token_id}", ADMIN, path=_token_id),
    Case("POST", "/api/v1/admin/enroll-secrets", ADMIN, body=lambda env, h, r: {}),
    Case("DELETE", "/api/v1/admin/enroll-secrets/{secret_id}", ADMIN, path=_secret_id),
    Case("POST", "/api/v1/admin/hosts/{host_id}/revoke", ADMIN,
         path=lambda env, h, r: "/api/v1/admin/hosts/h-000000000000/revoke"),
    Case("GET", "/api/v1/fleet/summary", READ),
    Case("GET", "/api/v1/fleet/hosts", READ),
    Case("GET", "/api/v1/fleet/hosts.{fmt}", READ, path=lambda env, h, r: "/api/v1/fleet/hosts.csv"),
    Case("GET", "/api/v1/fleet/hosts/{host}", READ, path=lambda env, h, r: f"/api/v1/fleet/hosts/{h.hostname}"),
    Case("GET", "/api/v1/fleet/hosts/{host}/timeline", READ,
         path=lambda env, h, r: f"/api/v1/fleet/hosts/{h.host_id}/timeline"),
    Case("GET", "/api/v1/fleet/installs", READ),
    Case("GET", "/api/v1/fleet/installs.{fmt}", READ, path=lambda env, h, r: "/api/v1/fleet/installs.json"),
    Case("GET", "/api/v1/alerts", READ),
    Case("GET", "/api/v1/alerts.{fmt}", READ, path=lambda env, h, r: "/api/v1/alerts.json"),
    Case("GET", "/api/v1/alerts/{record_id}", READ, path=lambda env, h, r: f"/api/v1/alerts/{r}"),
    Case("POST", "/api/v1/alerts/{record_id}/triage", READ, path=lambda env, h, r: f"/api/v1/alerts/{r}/triage",
         body=lambda env, h, r: {"action": "note", "note": "seen"}),
    Case("GET", "/metrics", READ),
]

# Console pages: no or a sensor cookie -> redirect to the login page; analyst/admin -> the page.
CONSOLE = {"none": 303, "sensor": 303, "analyst": 200, "admin": 200}
CONSOLE_PAGES: list[tuple[str, Callable[[FleetHost, str], str]]] = [
    ("GET", lambda h, r: "/console/"),
    ("GET", lambda h, r: "/console/alerts"),
    ("GET", lambda h, r: f"/console/hosts/{h.host_id}"),
    ("GET", lambda h, r: f"/console/alerts/{r}"),
    ("POST", lambda h, r: f"/console/alerts/{r}/triage"),
]


def _tokens(env: FleetEnv, host: FleetHost) -> dict[str, str | None]:
    return {"none": None, "sensor": host.token, "analyst": env.analyst, "admin": env.admin}


def test_every_openapi_path_has_a_case(fleet: FleetEnv) -> None:
    spec = fleet.collector.api("GET", "/openapi.json").json()
    listed = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    covered = {(case.method, case.template) for case in CASES}
    assert listed - covered == set(), "endpoints without an authorization test"


def test_each_role_on_each_endpoint(fleet: FleetEnv) -> None:
    host = fleet.enroll("authz-host")
    fleet.ship(host, "inventory", report("authz-host", install("/home/a/.openclaw", running=True)))
    record_id = fleet.ship(host, "alert", alert("authz-host", 1), 3)
    tokens = _tokens(fleet, host)
    failures = []
    for case in CASES:
        for role in ROLES:
            path = case.path(fleet, host, record_id) if case.path else case.template
            body = case.body(fleet, host, record_id) if case.body else None
            resp = fleet.collector.api(case.method, path, tokens[role], json=body)
            if resp.status_code != case.expect[role]:
                failures.append((case.method, path, role, resp.status_code, resp.text[:120]))
            if resp.status_code in (401, 403):
                assert resp.json()["detail"]["code"] in {"missing_token", "invalid_credential", "forbidden_role",
                                                         "host_mismatch"}
    assert failures == []


def test_console_takes_only_reader_tokens(fleet: FleetEnv) -> None:
    host = fleet.enroll("console-host")
    fleet.ship(host, "inventory", report("console-host", install("/home/a/.openclaw")))
    record_id = fleet.ship(host, "alert", alert("console-host", 1), 3)
    failures = []
    for role, token in _tokens(fleet, host).items():
        session = requests.Session()
        if token is not None:
            session.cookies.set("cw_console", token, path="/console")
        for method, page in CONSOLE_PAGES:
            data = {"action": "note", "note": f"by {role}"} if method == "POST" else None
            resp = session.request(method, fleet.url + page(host, record_id), data=data, allow_redirects=False,
                                   timeout=30)
            expect = CONSOLE[role] if method == "GET" else 303  # a triage form redirects either way
            if resp.status_code != expect:
                failures.append((method, page(host, record_id), role, resp.status_code))
            if role in ("none", "sensor"):
                assert resp.headers["location"].endswith("/console/login")
        login = requests.post(fleet.url + "/console/login", data={"token": token or ""}, allow_redirects=False,
                              timeout=30)
        assert login.status_code == (303 if role in ("analyst", "admin") else 401), role
    assert failures == []
    notes = fleet.get(f"/api/v1/alerts/{record_id}")["triage"]
    assert [n["text"] for n in notes] == ["by analyst", "by admin"]  # the refused roles wrote nothing

"""Forwarders against real loopback receivers (syslog TCP/TLS, Splunk HEC, webhook); outages; bounds."""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.forwarders.forwarder import Forwarder
from collectors.forwarders.hec import HecSink
from collectors.forwarders.queue import SqliteForwardQueue
from collectors.forwarders.syslog import SyslogSink
from collectors.forwarders.webhook import WebhookSink
from sensor.schema.alerts import Alert
from tests.support.siem_receivers import HecReceiver, SyslogReceiver, free_port, make_self_signed_cert

RFC5424 = re.compile(rb"^<(\d+)>1 (\S+) (\S+) clawwatch - alert (\[clawwatch@32473 [^\]]*\]) \xef\xbb\xbf(.*)$", re.S)


def make_alert(n: int, level: str = "high") -> Alert:
    return Alert(
        AlertId=f"alert-{n:04d}",
        UtcTime="2026-11-22T04:10:00Z",
        Hostname="laptop-alice",
        rule_id="rule-shell",
        title="Shell spawned by OpenClaw | gateway",
        level=level,
        tags=["attack.t1059"],
        event={
            "category": "process_creation",
            "Image": "/usr/bin/bash",
            "CommandLine": "bash -c a=b",
            "AgentProduct": "openclaw",
            "InAgentTree": True,
            "AgentRootPid": 77,
        },
    )


def wait_until(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[SqliteForwardQueue]:
    q = SqliteForwardQueue(tmp_path / "queue.db")
    yield q


def _alert_ids_from_syslog(messages: list[bytes]) -> list[str]:
    ids = []
    for message in messages:
        match = RFC5424.match(message)
        assert match, message[:200]
        ids.append(json.loads(match.group(5))["event"]["id"])
    return ids


def test_syslog_tcp_json_rfc5424_octet_counted(queue: SqliteForwardQueue) -> None:
    receiver = SyslogReceiver().start()
    forwarder = Forwarder(SyslogSink("127.0.0.1", receiver.port, payload="json"), queue, batch_size=7).start()
    try:
        for n in range(20):
            forwarder.submit(make_alert(n))
        assert wait_until(lambda: len(receiver.received()) >= 20)
        messages = receiver.received()
        match = RFC5424.match(messages[0])
        assert match is not None
        assert match.group(1) == b"83"  # facility 10 (authpriv) * 8 + severity 3 (high -> err)
        assert match.group(2) == b"2026-11-22T04:10:00.000000Z" and match.group(3) == b"laptop-alice"
        assert b'alertId="alert-0000"' in match.group(4)
        doc = json.loads(match.group(5))
        assert doc["event"]["kind"] == "alert" and doc["rule"]["id"] == "rule-shell"
        assert sorted(_alert_ids_from_syslog(messages)) == [f"alert-{n:04d}" for n in range(20)]
    finally:
        forwarder.stop()
        receiver.stop()


def test_syslog_tls_cef(tmp_path: Path, queue: SqliteForwardQueue) -> None:
    cert, key = make_self_signed_cert(tmp_path)
    receiver = SyslogReceiver(tls=(cert, key)).start()
    context = ssl.create_default_context(cafile=str(cert))
    sink = SyslogSink("127.0.0.1", receiver.port, payload="cef", tls=context, server_name="localhost")
    forwarder = Forwarder(sink, queue).start()
    try:
        for n in range(5):
            forwarder.submit(make_alert(n, level="critical"))
        assert wait_until(lambda: len(receiver.received()) >= 5)
        message = receiver.received()[0]
        match = RFC5424.match(message)
        assert match is not None and match.group(1) == b"82"  # critical -> crit (2)
        cef = match.group(5).decode()
        assert cef.startswith("CEF:0|clawwatch|clawwatch|")
        assert "|rule-shell|Shell spawned by OpenClaw \\| gateway|10|" in cef
        assert "cs2=bash -c a\\=b" in cef and "cs1=openclaw" in cef and "cn1=77" in cef
    finally:
        forwarder.stop()
        receiver.stop()


def test_syslog_tls_refuses_an_untrusted_certificate(tmp_path: Path, queue: SqliteForwardQueue) -> None:
    cert, key = make_self_signed_cert(tmp_path)
    receiver = SyslogReceiver(tls=(cert, key)).start()
    sink = SyslogSink("127.0.0.1", receiver.port, tls=ssl.create_default_context(), server_name="localhost")
    forwarder = Forwarder(sink, queue, initial_backoff=0.05, max_backoff=0.1).start()
    try:
        forwarder.submit(make_alert(1))
        assert wait_until(lambda: forwarder.errors >= 2)
        assert receiver.received() == [] and queue.depth() == 1
        assert "CERTIFICATE_VERIFY_FAILED" in (forwarder.last_error or "")
    finally:
        forwarder.stop()
        receiver.stop()


def test_syslog_receiver_down_then_back_loses_nothing(queue: SqliteForwardQueue) -> None:
    port = free_port()
    receiver = SyslogReceiver(port=port).start()
    forwarder = Forwarder(SyslogSink("127.0.0.1", port), queue, initial_backoff=0.05, max_backoff=0.2).start()
    try:
        for n in range(10):
            forwarder.submit(make_alert(n))
        assert wait_until(lambda: len(receiver.received()) >= 10)
        before = receiver.received()
        receiver.stop()
        for n in range(10, 40):
            forwarder.submit(make_alert(n))
        assert wait_until(lambda: forwarder.errors >= 3)
        assert queue.depth() > 0
        receiver = SyslogReceiver(port=port).start()
        assert forwarder.wait_empty(30)
        ids = _alert_ids_from_syslog(before + receiver.received())
        assert set(ids) == {f"alert-{n:04d}" for n in range(40)}  # nothing lost
        assert len(ids) == 40  # and, here, nothing duplicated
    finally:
        forwarder.stop()
        receiver.stop()


def test_hec_with_indexer_ack_outage_and_withheld_ack(queue: SqliteForwardQueue) -> None:
    port = free_port()
    sink = HecSink(
        f"http://127.0.0.1:{port}",
        "hec-token-1",
        use_ack=True,
        ack_timeout=0.5,
        ack_poll=0.05,
        document_format="ocsf",
        index="security",
    )
    forwarder = Forwarder(sink, queue, batch_size=10, initial_backoff=0.05, max_backoff=0.2).start()
    receiver = HecReceiver("hec-token-1", port=port)
    try:
        for n in range(25):
            forwarder.submit(make_alert(n))
        assert wait_until(lambda: forwarder.errors >= 2)  # receiver is down: connection refused
        assert queue.depth() == 25
        receiver.withhold_acks = 1  # the first batch is accepted but never reported indexed
        receiver.start()
        assert forwarder.wait_empty(30)
        ids = [event["event"]["finding_info"]["uid"] for event in receiver.events]
        assert set(ids) == {f"alert-{n:04d}" for n in range(25)}  # nothing lost
        assert len(ids) == 35  # the unacknowledged batch of 10 was sent again: at-least-once
        first = receiver.events[0]
        assert first["sourcetype"] == "clawwatch:alert:ocsf" and first["index"] == "security"
        assert first["host"] == "laptop-alice" and first["time"] == 1795320600.0
        assert first["event"]["class_uid"] == 2004
    finally:
        forwarder.stop()
        receiver.stop()


def test_hec_wrong_token_keeps_retrying_and_bad_data_is_dropped(queue: SqliteForwardQueue) -> None:
    receiver = HecReceiver("right").start()
    wrong = Forwarder(
        HecSink(f"http://127.0.0.1:{receiver.port}", "wrong"), queue, initial_backoff=0.05, max_backoff=0.1
    ).start()
    try:
        wrong.submit(make_alert(1))
        assert wait_until(lambda: wrong.errors >= 2)
        assert queue.depth() == 1 and receiver.events == []  # 401 is retried, never dropped
        assert "401" in (wrong.last_error or "")
    finally:
        wrong.stop()
    queue2 = SqliteForwardQueue(queue.path)
    right = Forwarder(HecSink(f"http://127.0.0.1:{receiver.port}", "right"), queue2)
    try:
        receiver.reject_next_with = 400
        right.submit(make_alert(2))
        assert right.drain_once() == 2  # the queued alert and the new one, rejected as one batch
        assert right.rejected == 2 and queue2.depth() == 0
        right.submit(make_alert(3))
        assert right.drain_once() == 1 and receiver.events[-1]["event"]["event"]["id"] == "alert-0003"
    finally:
        right.stop()
        receiver.stop()


def test_webhook_posts_json_array(queue: SqliteForwardQueue) -> None:
    receiver = HecReceiver("unused", require_channel=False)
    received: list[object] = []
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Api-Key"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sink = WebhookSink(f"http://127.0.0.1:{receiver.port}/hook", headers={"X-Api-Key": "k"})
    forwarder = Forwarder(sink, queue)
    try:
        for n in range(3):
            forwarder.submit(make_alert(n))
        assert forwarder.drain_once() == 3
        key, docs = received[0]  # type: ignore[misc]
        assert key == "k" and [d["event"]["id"] for d in docs] == ["alert-0000", "alert-0001", "alert-0002"]
    finally:
        forwarder.stop()
        server.shutdown()
        server.server_close()


def test_queue_is_bounded_drops_oldest_and_counts_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    q = SqliteForwardQueue(path, max_bytes=1000)
    for n in range(30):
        q.put(f"{n:03d}".encode() * 33)  # 99 bytes each: 10 fit
    assert q.depth() == 10 and q.bytes_used() <= 1000
    assert [item.payload[:3] for item in q.peek(100)] == [f"{n:03d}".encode() for n in range(20, 30)]
    assert q.dropped() == 20
    q.put(b"x" * 2000)  # larger than the whole queue: refused and counted
    assert q.dropped() == 21
    q.ack([item.item_id for item in q.peek(3)])
    q.close()
    reopened = SqliteForwardQueue(path, max_bytes=1000)
    assert reopened.depth() == 7 and reopened.dropped() == 21 and reopened.bytes_used() == 7 * 99
    reopened.close()

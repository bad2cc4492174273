"""The shipper: sends spooled records to the collector in batches; deletes only what was acknowledged.

One request at a time, oldest records first. Outcomes:
  200                   -> delete the acked records
  409 replayed_batch    -> all already stored (our ack was lost): delete the acked records
  409 seq_conflict / 422 / 413 on a single record -> that record can never be accepted: reject (counted)
  413 / 422 on a batch  -> halve the batch and try again (isolates a bad record)
  401 / 403 host_mismatch -> forget the credential and enroll again
  429 / 503             -> wait Retry-After
  other 5xx, network errors, timeouts -> exponential backoff with jitter
"""

from __future__ import annotations

import gzip
import logging
import random
import threading
from dataclasses import dataclass, field
from enum import StrEnum

import orjson
import requests

from sensor.delivery.enrollment import (
    Credential,
    CredentialStore,
    EnrollmentError,
    enroll,
    parse_retry_after,
)
from sensor.delivery.spool import Spool, SpooledBatch

log = logging.getLogger("clawwatch.delivery")


@dataclass(frozen=True)
class ShipperConfig:
    collector_url: str
    enroll_secret: str | None = None
    ca_bundle: str | None = None  # PEM file of the CAs to trust (corporate CA); None: system store
    proxies: dict[str, str] | None = None  # {"https": "http://proxy:3128"}; None: HTTPS_PROXY etc.
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    batch_records: int = 500
    batch_bytes: int = 1024 * 1024
    backoff_initial: float = 0.5
    backoff_max: float = 60.0
    idle_wait: float = 1.0  # seconds between spool checks when nothing new was signalled
    compress: bool = True


class Outcome(StrEnum):
    idle = "idle"
    delivered = "delivered"
    replayed = "replayed"
    rejected = "rejected"
    halved = "halved"
    reenroll = "reenroll"
    throttled = "throttled"
    failed = "failed"
    not_enrolled = "not_enrolled"


@dataclass
class ShipperStats:
    delivered: int = 0
    batches: int = 0
    failures: int = 0
    reenrollments: int = 0
    last_error: str = ""
    outcomes: dict[str, int] = field(default_factory=dict)


class Backoff:
    """Exponential backoff with jitter: the n-th wait is uniform in [d/2, d], d = min(max, initial * 2^n)."""

    def __init__(self, initial: float, maximum: float, rng: random.Random | None = None) -> None:
        self.initial = initial
        self.maximum = maximum
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * (2 ** min(self.attempt, 30)))
        self.attempt += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0


class Shipper:
    def __init__(self, spool: Spool, credentials: CredentialStore, config: ShipperConfig,
                 session: requests.Session | None = None) -> None:
        self.spool = spool
        self.credentials = credentials
        self.config = config
        self.session = session or requests.Session()
        # Passed on every request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override Session.verify.
        self.verify: str | bool = config.ca_bundle or True
        if config.proxies:
            self.session.proxies.update(config.proxies)
        self.stats = ShipperStats()
        self.backoff = Backoff(config.backoff_initial, config.backoff_max)
        self._limit = config.batch_records
        self._cred: Credential | None = credentials.load(config.collector_url, spool.host_id)
        self._sent_drops: tuple[int, int] | None = None  # (dropped, rejected) the collector last heard
        self.wait_hint = 0.0  # seconds the last attempt asks to wait before the next one

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.config.connect_timeout, self.config.read_timeout)

    # --- the loop ----------------------------------------------------------------------------------

    def run(self, stop: threading.Event, drain_and_exit: bool = False) -> None:
        """Ship until ``stop`` is set (or, with drain_and_exit, until the spool is empty)."""
        while not stop.is_set():
            outcome = self.ship_once()
            self.stats.outcomes[outcome] = self.stats.outcomes.get(outcome, 0) + 1
            if outcome == Outcome.idle:
                if drain_and_exit:
                    return
                self.spool.new_data.wait(self.config.idle_wait)
                self.spool.new_data.clear()
            elif self.wait_hint > 0:
                stop.wait(self.wait_hint)

    def ship_once(self) -> Outcome:
        """One attempt: enroll if needed, send the oldest batch, act on the answer. Sets ``wait_hint``."""
        self.wait_hint = 0.0
        if self._cred is None and not self._enroll():
            return Outcome.not_enrolled
        batch = self.spool.peek(self._limit, self.config.batch_bytes)
        stats = self.spool.stats()
        if not batch.seqs and self._sent_drops == (stats.dropped_total, stats.rejected_total):
            self.spool.release()
            return Outcome.idle
        try:
            return self._send(batch, (stats.dropped_total, stats.rejected_total))
        finally:
            self.spool.release()

    # --- enrollment --------------------------------------------------------------------------------

    def _enroll(self) -> bool:
        if not self.config.enroll_secret:
            self._fail("not enrolled and no enroll secret configured; set --enroll-secret", retryable=False)
            return False
        try:
            answer = enroll(self.session, self.config.collector_url, self.config.enroll_secret,
                            self.spool.host_id, self.timeout, verify=self.verify)
        except EnrollmentError as exc:
            self._fail(str(exc), retryable=exc.retryable, retry_after=exc.retry_after)
            return False
        self.spool.raise_seq_floor(answer.next_seq)
        self._cred = Credential(self.config.collector_url, self.spool.host_id, answer.token)
        self.credentials.save(self._cred)
        self.stats.reenrollments += 1
        log.info("enrolled with %s as host %s", self.config.collector_url, self.spool.host_id)
        return True

    def forget_credential(self) -> None:
        self._cred = None
        self.credentials.clear()

    # --- sending -----------------------------------------------------------------------------------

    def _body(self, batch: SpooledBatch) -> bytes:
        stats = orjson.dumps(self.spool.stats().model_dump())  # read after peek: never older than the batch
        return b"".join((b'{"host_id":', orjson.dumps(self.spool.host_id), b',"records":[',
                         b",".join(batch.payloads), b'],"spool":', stats, b"}"))

    def _send(self, batch: SpooledBatch, drops: tuple[int, int]) -> Outcome:
        assert self._cred is not None
        body = self._body(batch)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self._cred.token}"}
        if self.config.compress:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        url = self.config.collector_url.rstrip("/") + "/api/v1/ingest"
        try:
            resp = self.session.post(url, data=body, headers=headers, timeout=self.timeout, verify=self.verify)
        except requests.exceptions.SSLError:
            return self._fail("TLS verification of the collector failed; set --ca-bundle to your CA file")
        except requests.RequestException as exc:
            return self._fail(f"sending to {self.config.collector_url} failed: {type(exc).__name__}")
        return self._handle(resp, batch, drops)

    def _handle(self, resp: requests.Response, batch: SpooledBatch, drops: tuple[int, int]) -> Outcome:
        status = resp.status_code
        detail = _detail(resp)
        code = str(detail.get("code", ""))
        if status == 200 or (status == 409 and code == "replayed_batch"):
            acked = [int(s) for s in _acked(resp, detail)]
            self.spool.ack(acked)
            self._sent_drops = drops
            self.stats.delivered += len(acked)
            self.stats.batches += 1
            self.backoff.reset()
            self._limit = min(self.config.batch_records, self._limit * 2)
            return Outcome.delivered if status == 200 else Outcome.replayed
        if status in (401, 403) and code in ("missing_token", "invalid_credential", "host_mismatch"):
            log.warning("collector refused our credential (%s); enrolling again", code)
            self.forget_credential()
            if self.stats.reenrollments > 3:
                self.wait_hint = self.backoff.next_delay()
            return Outcome.reenroll
        if status in (413, 422) or (status == 409 and code == "seq_conflict"):
            if len(batch.seqs) > 1 and status != 409:
                self._limit = max(1, len(batch.seqs) // 2)
                return Outcome.halved
            self.spool.reject(batch.seqs)
            log.error("collector rejected %d record(s) for good (%s %s)", len(batch.seqs), status, code)
            return Outcome.rejected
        if status in (429, 503):
            hint = parse_retry_after(resp.headers.get("Retry-After"))
            self.stats.failures += 1
            message = f"collector answered HTTP {status} {code}; waiting as its Retry-After asks"
            if message != self.stats.last_error:
                log.warning("%s", message)
            self.stats.last_error = message
            self.wait_hint = hint if hint is not None else self.backoff.next_delay()
            return Outcome.throttled
        return self._fail(f"collector answered HTTP {status} {code}")

    def _fail(self, message: str, retryable: bool = True, retry_after: float | None = None) -> Outcome:
        self.stats.failures += 1
        if message != self.stats.last_error:
            log.warning("%s", message)
        self.stats.last_error = message
        delay = self.backoff.next_delay()
        if not retryable:
            delay = max(delay, self.config.backoff_max)
        self.wait_hint = retry_after if retry_after is not None else delay
        return Outcome.failed


def _detail(resp: requests.Response) -> dict[str, object]:
    try:
        data = orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        return {}
    detail = data.get("detail") if isinstance(data, dict) else None
    return detail if isinstance(detail, dict) else {}


def _acked(resp: requests.Response, detail: dict[str, object]) -> list[int]:
    if resp.status_code == 200:
        data = orjson.loads(resp.content)
        acked = data.get("acked", []) if isinstance(data, dict) else []
    else:
        acked = detail.get("acked", [])
    return [a for a in acked if isinstance(a, int)] if isinstance(acked, list) else []

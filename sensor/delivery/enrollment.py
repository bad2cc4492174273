"""Enrollment: the shared enroll secret is exchanged once for a per-host token, kept 0600 on disk.

The credential is bound to the collector URL it came from; pointing the sensor at another collector, or
the collector answering ``invalid_credential``, makes the sensor enroll again.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import orjson
import requests

from sensor import __version__
from sensor.delivery.secure_file import read_private, write_private
from sensor.schema.wire import EnrollRequest, EnrollResponse

CREDENTIAL_FILE = "credential.json"
log = logging.getLogger("clawwatch.delivery")


@dataclass(frozen=True)
class Credential:
    collector_url: str
    host_id: str
    token: str


class EnrollmentError(Exception):
    """Enrollment failed; ``retryable`` is False when retrying with the same secret cannot help."""

    def __init__(self, message: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class CredentialStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / CREDENTIAL_FILE

    def load(self, collector_url: str, host_id: str) -> Credential | None:
        raw = read_private(self.path)
        if raw is None:
            return None
        try:
            data = orjson.loads(raw)
            cred = Credential(collector_url=str(data["collector_url"]), host_id=str(data["host_id"]),
                              token=str(data["token"]))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring unreadable credential file %s; enrolling again", self.path)
            return None
        if cred.collector_url != collector_url or cred.host_id != host_id:
            return None
        return cred

    def save(self, cred: Credential) -> None:
        write_private(self.path, orjson.dumps(cred.__dict__))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def enroll(session: requests.Session, collector_url: str, enroll_secret: str, host_id: str,
           timeout: tuple[float, float], *, verify: str | bool = True) -> EnrollResponse:
    request = EnrollRequest(enroll_secret=enroll_secret, host_id=host_id,
                            hostname=socket.gethostname()[:255], sensor_version=__version__)
    url = collector_url.rstrip("/") + "/api/v1/enroll"
    try:
        resp = session.post(url, data=orjson.dumps(request.model_dump()),
                            headers={"Content-Type": "application/json"}, timeout=timeout, verify=verify)
    except requests.exceptions.SSLError:
        raise EnrollmentError("TLS verification of the collector failed; set --ca-bundle to your CA file",
                              retryable=True) from None
    except requests.RequestException as exc:
        raise EnrollmentError(f"cannot reach the collector at {collector_url}: {type(exc).__name__}",
                              retryable=True) from None
    if resp.status_code == 200:
        return EnrollResponse.model_validate_json(resp.content)
    code = _error_code(resp)
    if resp.status_code in (401, 403, 422):
        raise EnrollmentError(f"the collector refused enrollment ({resp.status_code} {code}); "
                              "check the enroll secret", retryable=False)
    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
    raise EnrollmentError(f"enrollment failed with HTTP {resp.status_code} {code}", retryable=True,
                          retry_after=retry_after)


def _error_code(resp: requests.Response) -> str:
    try:
        return str(orjson.loads(resp.content)["detail"]["code"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return ""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped at one hour."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(3600.0, float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min(3600.0, (when - datetime.now(UTC)).total_seconds()))

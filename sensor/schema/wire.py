"""The wire contract between the sensor's shipper and the collector (defined once, used by both sides).

POST /api/v1/enroll   EnrollRequest  -> EnrollResponse
POST /api/v1/ingest   IngestBatch (JSON, optionally gzip) -> IngestResponse
Errors are ``{"detail": {"code": ..., "message": ...}}``; codes are listed in ``ErrorCode``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sensor.schema.records import Record

# No ':' (record ids are '<host_id>:<seq>'), no control characters, bounded.
HOST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$"
HostId = Annotated[str, StringConstraints(pattern=HOST_ID_PATTERN)]
PrintableText = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^\x00-\x1f\x7f]*$")]

MAX_BATCH_RECORDS = 5000
MAX_SEQ = 2**62


class ErrorCode(StrEnum):  # the names are error codes, not secrets
    missing_token = "missing_token"  # noqa: S105
    invalid_credential = "invalid_credential"
    invalid_enroll_secret = "invalid_enroll_secret"  # noqa: S105
    enrollment_disabled = "enrollment_disabled"
    forbidden_role = "forbidden_role"
    host_mismatch = "host_mismatch"
    malformed_json = "malformed_json"
    invalid_body = "invalid_body"
    body_too_large = "body_too_large"
    unsupported_encoding = "unsupported_encoding"
    unsupported_media_type = "unsupported_media_type"
    replayed_batch = "replayed_batch"
    seq_conflict = "seq_conflict"
    rate_limited = "rate_limited"
    not_found = "not_found"
    unavailable = "unavailable"


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enroll_secret: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    host_id: HostId
    hostname: PrintableText = ""
    sensor_version: Annotated[str, StringConstraints(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")] = ""


class EnrollResponse(BaseModel):
    host_id: str
    token: str = Field(description="Per-host bearer token; the collector keeps only its hash")
    next_seq: int = Field(description="The sensor must not use sequence numbers below this one")


class SpoolStats(BaseModel):
    """Cumulative counters of the sensor's spool, sent with every batch so drops are never silent."""

    model_config = ConfigDict(extra="forbid")

    dropped_total: int = Field(default=0, ge=0, le=MAX_SEQ)
    rejected_total: int = Field(default=0, ge=0, le=MAX_SEQ)
    dropped_by_severity: dict[Annotated[str, StringConstraints(pattern=r"^[0-4]$")],
                              Annotated[int, Field(ge=0, le=MAX_SEQ)]] = Field(default_factory=dict)
    queued_records: int = Field(default=0, ge=0, le=MAX_SEQ)
    queued_bytes: int = Field(default=0, ge=0, le=MAX_SEQ)


class IngestBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host_id: HostId
    records: list[Record] = Field(max_length=MAX_BATCH_RECORDS)
    spool: SpoolStats | None = None

    @model_validator(mode="after")
    def _records_belong_to_host(self) -> IngestBatch:
        seen: set[int] = set()
        for index, record in enumerate(self.records):
            where = f"records[{index}]"
            if record.host_id != self.host_id:
                raise ValueError(f"{where}.host_id differs from the batch host_id")
            if record.seq < 1 or record.seq > MAX_SEQ:
                raise ValueError(f"{where}.seq out of range 1..{MAX_SEQ}")
            if record.record_id != f"{record.host_id}:{record.seq}":
                raise ValueError(f"{where}.record_id must be '<host_id>:<seq>'")
            if record.seq in seen:
                raise ValueError(f"{where}.seq repeats within the batch")
            seen.add(record.seq)
        return self


class IngestResponse(BaseModel):
    acked: list[int] = Field(description="Sequence numbers the collector holds; the sensor may delete them")
    inserted: int
    duplicates: int
    missing: int = Field(description="Sequence numbers below this host's highest one never received")


class ErrorDetail(BaseModel):
    code: ErrorCode
    message: str


class ErrorResponse(BaseModel):
    detail: ErrorDetail

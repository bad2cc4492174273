"""Alert triage: acknowledge, assign, close, reopen, note; every action is logged with its author."""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, update

from collectors.store import tables

Action = Literal["ack", "assign", "close", "reopen", "note"]
_STATUS: dict[str, str] = {"ack": "acknowledged", "close": "closed", "reopen": "new"}


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    assignee: str | None = Field(default=None, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")
    note: str = Field(default="", max_length=4000, pattern=r"^[^\x00]*$")


class TriageError(ValueError):
    pass


def triage(conn: Connection, record_id: str, request: TriageRequest, author: str) -> bool:
    """Apply one action; False when the alert does not exist."""
    if request.action == "assign" and not request.assignee:
        raise TriageError("assign needs an assignee")
    if request.action == "note" and not request.note.strip():
        raise TriageError("a note needs text")
    now = time.time()
    values: dict[str, object] = {"updated_at": now}
    if request.action in _STATUS:
        values["status"] = _STATUS[request.action]
    if request.action == "assign":
        values["assignee"] = request.assignee
    al = tables.alerts
    result = conn.execute(update(al).where(al.c.record_id == record_id).values(**values))
    if not result.rowcount:
        return False
    text = request.note if request.action != "assign" else f"assigned to {request.assignee}. {request.note}"
    conn.execute(tables.alert_notes.insert().values(
        record_id=record_id, at=now, author=author[:200], action=request.action, text=text.strip()))
    return True

"""Event records to ``Event`` in the Sigma/Sysmon taxonomy, so SigmaHQ's Windows rules run unchanged.

- Sysmon 1 (process creation): the fields already carry Sysmon's names.
- Security 4688 (process creation, with "Include command line in process creation events"): renamed the way
  pySigma's Windows audit pipeline maps process_creation onto 4688, in reverse (NewProcessName -> Image,
  ParentProcessName -> ParentImage, NewProcessId -> ProcessId, ProcessId -> ParentProcessId, hex -> int,
  MandatoryLabel -> IntegrityLevel, Target/Subject account -> User).
- Security 4663 on a File object (SACL auditing on the credential catalogue): ``file_access`` with TargetFilename
  (and SigmaHQ's FileName spelling), Image = ProcessName, ProcessId, User, AccessMask and our FileAccess.
Anything else (other ids, 4663 on registry keys or processes) gives None: not an event this sensor ships.
Command lines are redacted as the normalizer redacts every command line (no secret value leaves the host).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sensor.schema.events import Event, EventCategory
from sensor.secrets.redact import redact_text
from sensor.sources.windows_events.access_mask import file_access, parse_mask
from sensor.sources.windows_events.record import EventRecord

SOURCE = "windows_events"
SYSMON = "Microsoft-Windows-Sysmon"
SECURITY = "Microsoft-Windows-Security-Auditing"
_INTEGRITY = {"S-1-16-0": "Untrusted", "S-1-16-4096": "Low", "S-1-16-8192": "Medium", "S-1-16-8448": "Medium",
              "S-1-16-12288": "High", "S-1-16-16384": "System", "S-1-16-20480": "Protected"}


def _pid(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        return None
    return value if 0 <= value < 2**32 else None


def _account(domain: str | None, name: str | None) -> str | None:
    if not name:
        return None
    return f"{domain}\\{name}" if domain else name


def _redacted(text: str | None) -> str | None:
    return redact_text(text) if text else None


def _envelope(record: EventRecord, category: EventCategory, service: str) -> dict[str, object]:
    return {"EventId": uuid.uuid4().hex, "UtcTime": record.time_created, "Hostname": record.computer,
            "category": category, "product": "windows", "service": service, "source": SOURCE}


def _sysmon_process(record: EventRecord) -> Event:
    fields = _envelope(record, EventCategory.process_creation, "sysmon")
    fields.update({
        "ProcessId": _pid(record.get("ProcessId")),
        "Image": record.get("Image"),
        "OriginalFileName": record.get("OriginalFileName"),
        "CommandLine": _redacted(record.get("CommandLine")),
        "CurrentDirectory": record.get("CurrentDirectory"),
        "User": record.get("User"),
        "LogonId": record.get("LogonId"),
        "IntegrityLevel": record.get("IntegrityLevel"),
        "Hashes": record.get("Hashes"),
        "ParentProcessId": _pid(record.get("ParentProcessId")),
        "ParentImage": record.get("ParentImage"),
        "ParentCommandLine": _redacted(record.get("ParentCommandLine")),
        "ParentUser": record.get("ParentUser"),
    })
    return Event.model_validate(fields)


def _security_process(record: EventRecord) -> Event:
    fields = _envelope(record, EventCategory.process_creation, "security")
    target = _account(record.get("TargetDomainName"), record.get("TargetUserName"))
    subject = _account(record.get("SubjectDomainName"), record.get("SubjectUserName"))
    label = record.get("MandatoryLabel")
    fields.update({
        "ProcessId": _pid(record.get("NewProcessId")),
        "Image": record.get("NewProcessName"),
        "CommandLine": _redacted(record.get("CommandLine")),
        # Windows 10+ names the new process's account (Target*); older builds only the creator (Subject*).
        "User": target or subject,
        "LogonId": record.get("TargetLogonId") if target else record.get("SubjectLogonId"),
        "IntegrityLevel": _INTEGRITY.get(label.upper(), label) if label else None,
        "ParentProcessId": _pid(record.get("ProcessId")),
        "ParentImage": record.get("ParentProcessName"),
        "ParentUser": subject if target else None,
    })
    return Event.model_validate(fields)


def _security_file_access(record: EventRecord) -> Event | None:
    if (record.get("ObjectType") or "").lower() != "file":
        return None
    path = record.get("ObjectName")
    if path is None:
        return None
    mask_text = record.get("AccessMask")
    fields = _envelope(record, EventCategory.file_access, "security")
    fields.update({
        "ProcessId": _pid(record.get("ProcessId")),
        "Image": record.get("ProcessName"),
        "User": _account(record.get("SubjectDomainName"), record.get("SubjectUserName")),
        "LogonId": record.get("SubjectLogonId"),
        "TargetFilename": path,
        "FileName": path,
        "AccessMask": mask_text,
        "FileAccess": file_access(parse_mask(mask_text)),
    })
    return Event.model_validate(fields)


Mapper = Callable[[EventRecord], Event | None]
SUPPORTED: dict[tuple[str, int], Mapper] = {
    (SYSMON, 1): _sysmon_process,
    (SECURITY, 4688): _security_process,
    (SECURITY, 4663): _security_file_access,
}


def to_event(record: EventRecord) -> Event | None:
    """The ``Event`` for a supported record, else None (another id, or a 4663 on a non-file object)."""
    mapper = SUPPORTED.get((record.provider, record.event_id))
    return mapper(record) if mapper is not None else None

"""The eslogger messages the sensor uses, decoded and typed (field names after Apple's ``es_message_t``).

Only what detection needs is kept: identities (PID, PID version, parent, users, executable, code
signing names), exec arguments, the working directory, the *names* of OpenClaw environment variables
(never a value: eslogger prints the whole exec environment, secrets included), exit status, and the
path and flags of an ``open``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FREAD = 0x1  # <sys/fcntl.h> FFLAGS: an open's ``fflag`` carries FREAD/FWRITE, not O_RDONLY (which is 0)
FWRITE = 0x2


@dataclass(frozen=True, slots=True)
class EsProcess:
    """An ``es_process_t``: the process that acted (or, in exec/fork, the one created)."""

    pid: int
    pidversion: int | None = None  # tells a reused PID from the original
    ppid: int | None = None
    ruid: int | None = None
    euid: int | None = None
    executable: str | None = None
    start_time: str | None = None  # "2025-08-07T13:21:35.877422Z"
    signing_id: str | None = None
    team_id: str | None = None


@dataclass(frozen=True, slots=True)
class EsExec:
    """``exec``: ``process`` is the image that called exec, ``target`` the new image (same PID)."""

    process: EsProcess
    target: EsProcess
    args: tuple[str, ...]
    cwd: str | None
    env_markers: tuple[str, ...] = field(default=())  # e.g. ("OPENCLAW_GATEWAY_PORT",): names only
    time: str | None = None
    kind: Literal["exec"] = "exec"


@dataclass(frozen=True, slots=True)
class EsFork:
    """``fork``: ``process`` forked ``child`` (same image, new PID)."""

    process: EsProcess
    child: EsProcess
    time: str | None = None
    kind: Literal["fork"] = "fork"


@dataclass(frozen=True, slots=True)
class EsExit:
    process: EsProcess
    status: int | None  # wait(2) status; exit code = (status >> 8) & 0xff
    time: str | None = None
    kind: Literal["exit"] = "exit"


@dataclass(frozen=True, slots=True)
class EsOpen:
    """``open``: ``process`` opened ``path``; ``fflag`` holds FREAD/FWRITE."""

    process: EsProcess
    path: str
    fflag: int | None
    truncated: bool = False  # eslogger cut the path (the real one is longer)
    time: str | None = None
    kind: Literal["open"] = "open"

    @property
    def reads(self) -> bool | None:
        return None if self.fflag is None else bool(self.fflag & FREAD)


EsMessage = EsExec | EsFork | EsExit | EsOpen
KINDS: tuple[str, ...] = ("exec", "fork", "exit", "open")

"""Why eslogger would not run, read from what it printed on stderr before exiting.

eslogger is an Endpoint Security client; when ``es_new_client`` fails it reports the
``es_new_client_result_t`` name. The names and their meaning are Apple's (EndpointSecurity
``ESClient.h``); the wording around them is not API, so only the names are matched. The one that
matters in the field is ``..._ERR_NOT_PERMITTED``: the *responsible process* (the LaunchDaemon's
program, i.e. the signed clawwatch binary) lacks Full Disk Access, which a PPPC profile grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # counter / health name
    reason: str  # what the admin reads
    retry_s: float | None  # None: retrying cannot help


NOT_FOUND = Refusal(
    "eslogger_missing",
    "/usr/bin/eslogger not found (macOS 13 or later has it): process polling only, no file-access events",
    None,
)

_BY_RESULT: tuple[tuple[str, Refusal], ...] = (
    ("ES_NEW_CLIENT_RESULT_ERR_NOT_PERMITTED", Refusal(
        "full_disk_access_missing",
        "eslogger refused: the clawwatch binary has no Full Disk Access (TCC); push the PPPC profile "
        "(packaging/macos/clawwatch.mobileconfig) or grant it in System Settings > Privacy & Security",
        300.0)),
    ("ES_NEW_CLIENT_RESULT_ERR_NOT_PRIVILEGED", Refusal(
        "not_root", "eslogger refused: the sensor does not run as root", None)),
    ("ES_NEW_CLIENT_RESULT_ERR_TOO_MANY_CLIENTS", Refusal(
        "too_many_es_clients", "eslogger refused: too many Endpoint Security clients on this Mac", 60.0)),
    ("ES_NEW_CLIENT_RESULT_ERR_NOT_ENTITLED", Refusal(
        "not_entitled", "eslogger refused: not entitled (unexpected for Apple's own binary)", 300.0)),
    ("ES_NEW_CLIENT_RESULT_ERR_INTERNAL", Refusal(
        "es_internal_error", "eslogger refused: Endpoint Security internal error", 30.0)),
)


def classify(stderr_lines: Iterable[str]) -> Refusal | None:
    """The refusal named in eslogger's stderr, or None when it names none."""
    for line in stderr_lines:
        for name, refusal in _BY_RESULT:
            if name in line:
                return refusal
    return None

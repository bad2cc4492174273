"""Redaction of secrets in command lines and free text (the live sensor uses it for CommandLine).

Two nets: option names that carry secrets (``--token X``, ``--hook-token=X``, ``-p X`` is *not*
assumed), and value shapes that are secrets wherever they appear (``sk-ant-…``, ``xoxb-…``, ``ghp_…``,
``AIza…``, Telegram bot tokens, ``Bearer …``, ``KEY=…`` with a secret-ish name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

REDACTED: Final[str] = "[REDACTED]"

_SECRET_OPTION = re.compile(
    r"^--?(?:[a-z0-9]+[-_])*(?:token|secret|password|passwd|pass|api[-_]?key|apikey|key|auth|"
    r"credential|credentials|cookie|bearer|private[-_]?key|access[-_]?key|client[-_]?secret)$",
    re.IGNORECASE,
)
_NOT_SECRET_OPTIONS: Final[frozenset[str]] = frozenset(
    {
        "--key-file",
        "--keyfile",
        "--token-file",
        "--password-file",
        "--auth-mode",
        "--auth-choice",
        "--gateway-auth",
    }
)

# value shapes that are secrets on their own
_VALUE_PATTERNS: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(r"sk-ant-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"sk-(?:proj-|svcacct-|or-v1-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"xox[abposr]-[A-Za-z0-9\-]{8,}"),
    re.compile(r"xapp-[A-Za-z0-9\-]{8,}"),
    re.compile(r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}"),
    re.compile(r"github_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"AIza[0-9A-Za-z_\-]{30,}"),
    re.compile(r"ya29\.[0-9A-Za-z_\-]{20,}"),
    re.compile(r"1//[0-9A-Za-z_\-]{30,}"),
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_\-]{30,}"),  # Telegram bot token
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),  # JWT
)
_ENV_ASSIGNMENT = re.compile(
    r"(?i)\b([A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?))="
    r"([^\s\"']+)"
)
_INLINE_OPTION = re.compile(
    r"(?i)(--?(?:[a-z0-9]+[-_])*(?:token|secret|password|passwd|api[-_]?key|apikey|credential|cookie|"
    r"client[-_]?secret))(=|\s+)(\"[^\"]*\"|'[^']*'|[^\s\"']+)"
)


def redact_text(text: str) -> str:
    """Replace secret-shaped substrings, secret options' values and secret env assignments."""

    def option(match: re.Match[str]) -> str:
        if match.group(1).lower() in _NOT_SECRET_OPTIONS:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{REDACTED}"

    out = _INLINE_OPTION.sub(option, text)
    out = _ENV_ASSIGNMENT.sub(lambda m: f"{m.group(1)}={REDACTED}", out)
    for pattern in _VALUE_PATTERNS:
        out = pattern.sub(REDACTED, out)
    return out


def _is_secret_option(arg: str) -> bool:
    name = arg.split("=", 1)[0]
    return name.lower() not in _NOT_SECRET_OPTIONS and bool(_SECRET_OPTION.match(name))


def redact_argv(argv: Sequence[str]) -> list[str]:
    """Redact an argv list: values of secret options (``--token X`` / ``--token=X``) and any
    secret-shaped value anywhere."""
    out: list[str] = []
    redact_next = False
    for arg in argv:
        if redact_next and not arg.startswith("--"):
            out.append(REDACTED)
            redact_next = False
            continue
        redact_next = False
        if arg.startswith("-") and _is_secret_option(arg):
            if "=" in arg:
                out.append(arg.split("=", 1)[0] + "=" + REDACTED)
            else:
                out.append(arg)
                redact_next = True
            continue
        out.append(redact_text(arg))
    return out

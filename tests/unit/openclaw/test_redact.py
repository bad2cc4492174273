"""Redaction of command lines (live sensor CommandLine) and free text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.secrets import REDACTED, redact_argv, redact_text

GOG = [
    "gog",
    "gmail",
    "watch",
    "serve",
    "--account",
    "a@example.com",
    "--bind",
    "127.0.0.1",
    "--port",
    "8788",
    "--token",
    "push-SECRET-1",
    "--hook-url",
    "http://127.0.0.1:18789/hooks/gmail",
    "--hook-token",
    "hook-SECRET-2",
]


def test_gog_argv() -> None:
    out = redact_argv(GOG)
    assert "push-SECRET-1" not in out and "hook-SECRET-2" not in out
    assert out[out.index("--token") + 1] == REDACTED and out[out.index("--hook-token") + 1] == REDACTED
    assert "a@example.com" in out and "http://127.0.0.1:18789/hooks/gmail" in out


def test_inline_and_shapes() -> None:
    text = (
        "openclaw onboard --anthropic-api-key sk-ant-api03-AAAAAAAAAAAA --gateway-token=tok-SECRET-3 "
        "--gateway-auth token SLACK_BOT_TOKEN=xoxb-1-2-SECRET4 curl -H 'Authorization: Bearer abcdefghijkl'"
    )
    out = redact_text(text)
    for secret in ("sk-ant-api03-AAAAAAAAAAAA", "tok-SECRET-3", "xoxb-1-2-SECRET4", "abcdefghijkl"):
        assert secret not in out
    assert "--gateway-auth token" in out


def test_argv_equals_form_and_shapes() -> None:
    out = redact_argv(["x", "--password=hunter2", "xapp-1-A0-SECRET", "--api-key", "k"])
    assert out == ["x", "--password=" + REDACTED, REDACTED, "--api-key", REDACTED]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(st.text(max_size=40), max_size=12),
    st.text(alphabet="abcdefXYZ0123456789", min_size=12, max_size=30),
)
def test_fuzz_token_option_value_never_survives(argv: list[str], secret: str) -> None:
    out = redact_argv([*argv, "--hook-token", secret])
    assert out[-1] == REDACTED

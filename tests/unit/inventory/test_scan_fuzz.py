"""Property: whatever the stores contain, the scan never raises and never prints a planted value."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.inventory.scanner import scan_host
from tests.unit.inventory import trees

SALT = b"fuzz-salt-0123456789abcdef012345"
_PREFIXES = ["", "sk-ant-api03-", "xoxb-1-", "xapp-1-", "sk-proj-", "ghp_", "123456789:AA"]
_KEYS = ["token", "botToken", "appToken", "key", "apiKey", "password", "secret", "access", "refresh", "note", "x"]

secret_values = st.builds(
    lambda prefix, body: prefix + "PLANTED" + body,
    st.sampled_from(_PREFIXES),
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=12, max_size=40),
)
paths = st.lists(
    st.sampled_from(["gateway", "auth", "channels", "slack", "hooks", "gmail", "profiles", "a:b", "0"]),
    min_size=0,
    max_size=4,
)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    placements=st.lists(st.tuples(paths, st.sampled_from(_KEYS), secret_values), min_size=1, max_size=8),
    store=st.sampled_from(["config", "auth-profiles", "env", "secrets", "sqlite", "oauth"]),
    garbage=st.binary(max_size=64),
)
def test_planted_values_never_printed(placements: list[tuple[list[str], str, str]], store: str, garbage: bytes) -> None:
    root = Path(tempfile.mkdtemp(prefix="scan-fuzz-"))
    try:
        state = root / "home/.openclaw"
        state.mkdir(parents=True)
        tree: dict[str, object] = {}
        for path, key, value in placements:
            node = tree
            for part in path:
                child = node.setdefault(part, {})
                node = child if isinstance(child, dict) else node
            node[key] = value
        text = json.dumps(tree)
        if store == "config":
            (state / "openclaw.json").write_text("// fuzz\n" + text)
        elif store == "auth-profiles":
            (state / "agents/main/agent").mkdir(parents=True)
            (state / "agents/main/agent/auth-profiles.json").write_text(text)
        elif store == "env":
            (state / ".env").write_text("\n".join(f"{k.upper()}_TOKEN={v}" for _, k, v in placements))
        elif store == "secrets":
            (state / "secrets.json").write_bytes(text.encode() + garbage)
        elif store == "sqlite":
            trees.create_state_db(state / "state/openclaw.sqlite", text)
        else:
            (state / "credentials").mkdir()
            (state / "credentials/oauth.json").write_text(text)
        report = scan_host([root / "home"], include_processes=False, system_wide=False, salt=SALT)
        out = report.model_dump_json()
        for _, _, value in placements:
            assert value not in out
            assert value[-12:] not in out
    finally:
        shutil.rmtree(root)

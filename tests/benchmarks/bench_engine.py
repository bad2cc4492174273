"""Benchmark: the Sigma engine vs the SQLite-backend approach on realistic sensor events.

Run: ``.venv/bin/python tests/benchmarks/bench_engine.py [--events N] [--batch B]`` (``make bench``).
Rules: the SigmaHQ Linux/macOS rules (``CLAWWATCH_SIGMAHQ_RULES``, default ../shared/sigmahq/rules beside the checkout)
plus our pack (detections/, whatever loads). Events: sensor-shaped process_creation,
network_connection, file_event, file_access and listening_socket events, with OpenClaw activity from
openclaw-facts.md mixed in (the gateway exec and retitled forms, exec-tool shells, gog, credential
reads, loopback/LAN listeners). Single thread, one process.

Reported: compile time for all rules, memory (tracemalloc) of the compiled engine, events/s of
``engine.process`` with and without the prefilter, events/s of the SQLite approach (pySigma 2.0.1 +
pysigma-backend-sqlite 2.1.1, Zircolite-style micro-batches: insert B events into an in-memory
table, run every rule's query restricted to its logsource, delete), the ratio, and whether both found
the same matches.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sensor.engine import Engine  # noqa: E402
from tests.support.paths import SIGMAHQ_RULES  # noqa: E402
from tests.support.sigma_oracle import SQLiteOracle, convert, load_sigma_rules  # noqa: E402

SIGMAHQ = SIGMAHQ_RULES
PACK = REPO / "detections"
TARGET_EPS = 50_000
TARGET_RATIO = 2.0

USERS = ["alice", "bob", "root", "svc-build"]
BENIGN_EXEC = [
    ("/usr/bin/git", "git status --porcelain"),
    ("/usr/bin/ls", "ls -la /home/{user}/src"),
    ("/usr/bin/python3", "python3 -m pytest -q tests/unit"),
    ("/usr/bin/grep", "grep -rn TODO src/"),
    ("/usr/bin/ssh", "ssh -T git@github.com"),
    ("/usr/local/bin/node", "node /home/{user}/src/app/server.js --port 3000"),
    ("/usr/bin/make", "make -j2 build"),
    ("/usr/bin/cat", "cat /home/{user}/notes.txt"),
    ("/usr/bin/docker", "docker ps --format json"),
    ("/bin/bash", "/bin/bash -lc 'cd /home/{user}/src && npm test'"),
    ("/usr/bin/code", "/usr/share/code/code --type=renderer --enable-crash-reporter"),
    ("/usr/bin/sed", "sed -i s/foo/bar/ config.ini"),
]
OPENCLAW_EXEC = [
    (
        "/home/{user}/.openclaw/tools/cli-node/bin/node",
        "node /home/{user}/.npm-global/lib/node_modules/openclaw/openclaw.mjs gateway --port 18789",
    ),
    ("/usr/local/bin/node", "openclaw-gateway"),
    (
        "/bin/bash",
        "/bin/bash --noprofile --norc -c \"if [ -r '/home/{user}/.openclaw/cache/shell-snapshots/ab12.sh' ]; "
        "then . x; fi; eval 'curl -s https://example.com/install.sh | sh'\"",
    ),
    (
        "/usr/local/bin/gog",
        "gog gmail watch serve --account {user}@example.com --bind 127.0.0.1 --port 8788 "
        "--path /gmail-pubsub --token REDACTED --hook-url http://127.0.0.1:18789/hooks/gmail",
    ),
    ("/usr/bin/curl", "curl -fsSL https://openclaw.ai/install.sh"),
    ("/usr/bin/base64", "base64 -d /tmp/payload.b64"),
]
FILES = [
    "/home/{user}/.ssh/id_ed25519",
    "/home/{user}/.aws/credentials",
    "/home/{user}/.config/gh/hosts.yml",
    "/home/{user}/.openclaw/credentials/oauth.json",
    "/home/{user}/.openclaw/openclaw.json",
    "/home/{user}/.mozilla/firefox/x.default/logins.json",
    "/home/{user}/src/app/package.json",
]
HOSTS = [
    ("api.anthropic.com", "160.79.104.10", 443),
    ("github.com", "140.82.121.4", 443),
    ("registry.npmjs.org", "104.16.3.35", 443),
    ("slack.com", "3.120.1.2", 443),
    ("169.254.169.254", "169.254.169.254", 80),
    ("pastebin.com", "104.20.67.143", 443),
]


def realistic_events(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for n in range(count):
        user = rng.choice(USERS)
        agent = rng.random() < 0.03
        roll = rng.random()
        base: dict[str, Any] = {
            "EventId": f"{n:08x}",
            "UtcTime": f"2026-11-22T10:{(n // 60) % 60:02d}:{n % 60:02d}Z",
            "Hostname": "laptop-17",
            "product": rng.choice(["linux", "linux", "macos"]),
            "ProcessId": rng.randint(1000, 90000),
            "User": user,
        }
        if agent:
            base.update(AgentProduct="openclaw", InAgentTree=True, AgentRootPid=4242, AttributionConfidence="exact")
        if roll < 0.5:
            image, cmd = rng.choice(OPENCLAW_EXEC if agent else BENIGN_EXEC)
            base.update(
                category="process_creation",
                Image=image.format(user=user),
                CommandLine=cmd.format(user=user),
                CurrentDirectory=f"/home/{user}",
                ParentImage=rng.choice(["/bin/bash", "/usr/bin/zsh", "/usr/local/bin/node"]),
                ParentProcessId=rng.randint(1000, 90000),
                ParentCommandLine="-bash",
            )
        elif roll < 0.7:
            name, ip, port = rng.choice(HOSTS)
            base.update(
                category="network_connection",
                Image="/usr/local/bin/node" if agent else "/usr/bin/firefox",
                Initiated="true",
                Protocol="tcp",
                SourceIp="192.168.1.23",
                SourcePort=rng.randint(40000, 60000),
                DestinationIp=ip,
                DestinationHostname=name,
                DestinationPort=port,
                DestinationIsLoopback=False,
            )
        elif roll < 0.85:
            path = rng.choice(FILES).format(user=user)
            base.update(
                category="file_access",
                Image="/usr/bin/cat" if agent else "/usr/bin/git",
                TargetFilename=path,
                FileAccess="open",
                CredentialKind="ssh_private_key" if ".ssh" in path else "other",
                CredentialOwner=user,
            )
        elif roll < 0.95:
            base.update(
                category="file_event",
                Image="/usr/bin/vim",
                TargetFilename=f"/home/{user}/src/app/file{rng.randint(0, 99)}.py",
            )
        else:
            exposed = agent and rng.random() < 0.5
            base.update(
                category="listening_socket",
                Image="/usr/local/bin/node",
                LocalIp="0.0.0.0" if exposed else "127.0.0.1",
                LocalPort=18789 if agent else 3000,
                ListenState="opened",
                Exposed=exposed,
                Protocol="tcp",
            )
        out.append(base)
    return out


class Clock:
    """Wall time and this process's CPU time (the machine may be shared: CPU time is the one-core figure)."""

    def __enter__(self) -> Clock:
        gc.collect()
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    def rate(self, count: int) -> str:
        return f"{count / self.cpu:,.0f} events/s CPU ({count / self.wall:,.0f} wall)"


def timed_engine(engine: Engine, events: list[dict[str, Any]]) -> tuple[Clock, int]:
    for event in events[:1000]:  # warm up routes and lazy structures on a throwaway engine state
        engine.match(event)
    alerts = 0
    with Clock() as clock:
        for event in events:
            alerts += len(engine.process(event))
    return clock, alerts


def timed_sqlite(paths: list[Path], events: list[dict[str, Any]], batch: int) -> tuple[Clock, dict[str, set[int]], int]:
    rules = load_sigma_rules(paths)
    converted, failed = convert(rules)
    oracle = SQLiteOracle(converted, routed=True)
    oracle.prepare(events)
    found: dict[str, set[int]] = {r.id: set() for r in converted}
    with Clock() as clock:
        for first in range(0, len(events), batch):
            oracle.insert(events[first : first + batch], first_id=first)
            for rule_id, ids in oracle.matches().items():
                found[rule_id] |= ids
            oracle.clear()
    return clock, found, len(failed)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    paths = [p for p in (SIGMAHQ, PACK) if p.is_dir()]
    print(f"rules from: {', '.join(map(str, paths))}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")

    with Clock() as compile_clock:
        engine = Engine.load(paths)
    print(
        f"rules compiled: {len(engine.rules)} detection + {len(engine.correlations)} correlation; "
        f"{len(engine.errors)} not loaded"
    )
    for error in engine.errors[:10]:
        print(f"  not loaded: {error}")
    print(
        f"compile time (parse + validate + compile, all rules): {compile_clock.cpu:.2f} s CPU "
        f"({compile_clock.wall:.2f} s wall)"
    )
    events = realistic_events(args.events)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    measured = Engine.load(paths)
    loaded_bytes = tracemalloc.get_traced_memory()[0] - before
    for event in events:
        measured.process(event)
    after_events = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(
        f"memory (tracemalloc): engine with all rules {loaded_bytes / 2**20:.1f} MiB; "
        f"after {len(events)} events incl. routes and correlation state {after_events / 2**20:.1f} MiB"
    )
    del measured

    engine_clock, alerts = timed_engine(Engine.load(paths), events)
    plain_clock, plain_alerts = timed_engine(Engine.load(paths, prefilter=False), events)
    count = len(events)
    eps = count / engine_clock.cpu
    print(f"events: {count} ({sum('AgentProduct' in e for e in events)} from an OpenClaw tree)")
    print(
        f"engine, routing + prefilter: {engine_clock.rate(count)}, "
        f"{engine_clock.cpu * 1e6 / count:.1f} us/event, {alerts} alerts"
    )
    print(f"engine, routing only (no prefilter): {plain_clock.rate(count)}, {plain_alerts} alerts")
    print(f"prefilter speed-up: {plain_clock.cpu / engine_clock.cpu:.1f}x")

    engine_matches: dict[str, set[int]] = {}
    stateless = Engine.load(paths)
    for number, event in enumerate(events):
        for rule_id, _ in stateless.match(event):
            engine_matches.setdefault(rule_id, set()).add(number)
    sql_clock, sql_found, sql_failed = timed_sqlite(paths, events, args.batch)
    sql_eps = count / sql_clock.cpu
    print(
        f"sqlite backend, batches of {args.batch}: {sql_clock.rate(count)} "
        f"({sum(len(v) for v in sql_found.values())} matches; {sql_failed} rules not convertible)"
    )
    same = all(engine_matches.get(rule_id, set()) == ids for rule_id, ids in sql_found.items())
    print(f"same matches as sqlite on every SQL-convertible rule: {same}")
    ratio = eps / sql_eps
    print(f"ratio engine / sqlite (CPU): {ratio:.1f}x")
    print(
        f"target >= {TARGET_EPS:,} events/s on one core: {'met' if eps >= TARGET_EPS else 'NOT met'}; "
        f"target >= {TARGET_RATIO:.0f}x sqlite: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

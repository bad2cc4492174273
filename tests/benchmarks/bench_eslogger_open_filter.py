"""CPU cost of eslogger ``open`` events in the sensor (issue 16, acceptance 4): events handled per % of
one core, on a high-volume stream.

The stream: no public recording has more than one ``open`` line (tests/fixtures/eslogger/README.md),
so it is built by replaying real recorded lines with new values (tests/support/eslogger_streams.py,
``open_flood``): one exec, then N opens by that process of paths cycling through the recorded paths
and typical per-user paths, with one read of ``~/.ssh/id_ed25519`` every ``--hit-every`` opens. Each
open line is a macOS 15 ``es_process_t`` plus an ``es_file_t`` copied from a recorded line
(~2.3 KB, the size of a real one).

Measured in one run, as CPU time of this process (``time.process_time``, all threads):

1. ``decode all``: orjson + shape decode of every line (what the sensor would pay without a filter);
2. ``pre-filter``: ``EsloggerParser.parse`` with the hub's watched-directory filter (what it pays);
3. ``whole path``: the replay through the supervisor's file seam, parser, hub, exec cache and the
   file-access source with the macOS credential catalogue watching a scratch home (every hit becomes
   a ``FileOpened``; the normalizer then makes the Events), i.e. everything the sensor does per event.

Prints events per CPU-second and events/s per 1 % of a core for each, the ratio of 1 to 2, and the
open rate the sensor can follow within its CPU budget (``[budget] cpu_percent``, default 10 % of a
core; the shipped Linux config uses 5 %). eslogger's own CPU on a Mac is not measured here.

    .venv/bin/python tests/benchmarks/bench_eslogger_open_filter.py [--opens 40000] [--hit-every 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sensor.daemon.config import SensorConfig  # noqa: E402
from sensor.sources.eslogger.parser import EsloggerParser  # noqa: E402
from sensor.sources.eslogger.shapes import decode  # noqa: E402
from tests.support.eslogger_pipeline import replay  # noqa: E402
from tests.support.eslogger_streams import open_flood, real_lines  # noqa: E402

# Per-user places a busy Mac opens files in (not credential stores), plus the recorded system paths.
HOME_PATHS = ("Library/Caches/com.apple.Safari/Cache.db", "Library/Preferences/com.apple.finder.plist",
              "Documents/report.docx", "Library/Application Support/Google/Chrome/Default/History",
              "Library/Application Support/Slack/Local Storage/leveldb/000005.ldb", "Downloads/x.pdf",
              "Library/Containers/com.apple.mail/Data/Library/Mail/V10/MailData/Envelope Index",
              ".zsh_history", "Library/Application Support/Code/User/settings.json")
CATALOGUE_DIRS = (".ssh", ".aws", ".kube", ".docker", ".config/gh", ".codex", ".claude", "Library/Keychains",
                  "Library/Cookies", "Library/Application Support/Google/Chrome/Default",
                  "Library/Application Support/Slack", "Library/Application Support/Firefox/Profiles/x.default")


def scratch_home(root: Path) -> Path:
    home = root / "Users" / "alice"
    for d in CATALOGUE_DIRS:
        (home / d).mkdir(parents=True, exist_ok=True)
    (home / ".ssh" / "id_ed25519").write_text("FAKE-key")
    return home


def stream(home: Path, opens: int, hit_every: int) -> list[bytes]:
    recorded = []
    for _path, line in real_lines():
        doc = orjson.loads(line)
        event = doc["event"]
        for body in event.values():
            for key in ("target", "file"):
                if isinstance(body.get(key), dict):
                    p = body[key].get("executable", body[key]).get("path")
                    if isinstance(p, str):
                        recorded.append(p)
    paths = sorted(set(recorded)) + [f"{home}/{p}" for p in HOME_PATHS]
    return open_flood(str(home), paths, opens, hit_every=hit_every)


def cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def report(name: str, events: int, seconds: float) -> float:
    rate = events / seconds
    print(f"{name:<12} {events:>8} events in {seconds:6.2f} CPU-s = {rate:>10,.0f} events/CPU-s "
          f"= {rate / 100:>8,.0f} events/s per 1 % of a core")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opens", type=int, default=40_000)
    parser.add_argument("--hit-every", type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-eslogger-") as tmp:
        root = Path(tmp)
        home = scratch_home(root)
        lines = stream(home, args.opens, args.hit_every)
        size = sum(map(len, lines)) / len(lines)
        print(f"stream: {len(lines)} lines ({args.opens} opens, one ~/.ssh/id_ed25519 read every "
              f"{args.hit_every}), mean {size:,.0f} bytes/line, derived from recorded eslogger lines")

        def decode_all() -> None:
            for line in lines:
                doc = orjson.loads(line)
                kind = next(iter(doc["event"]))
                decode(doc, kind, ("object",), strict=True)

        result = replay([lines[0]], root, [("alice", home)])  # warm-up: imports, catalogue expansion
        filtered = EsloggerParser(wants_open=result.hub.wants_open)  # the dirs the catalogue watched

        def prefilter() -> None:
            for line in lines:
                filtered.parse(line)

        full = report("decode all", len(lines), cpu(decode_all))
        fast = report("pre-filter", len(lines), cpu(prefilter))
        holder: dict[str, object] = {}

        def whole() -> None:
            holder["r"] = replay(lines, root, [("alice", home)], timeout=600)

        seconds = cpu(whole)
        result = holder["r"]  # type: ignore[assignment]
        whole_rate = report("whole path", len(lines), seconds)
        reads = [e for e in result.events if e["category"] == "file_access"]  # type: ignore[attr-defined]
        print(f"pre-filter dropped {filtered.counters['opens_filtered']} of {args.opens} opens before "
              f"decoding; whole path reported {len(reads)} credential reads (expected "
              f"{args.opens // args.hit_every})")
        print(f"pre-filter vs decode all: {fast / full:.2f}x the events per CPU-second")
        for budget in (SensorConfig().budget.cpu_percent, 5.0):
            print(f"within a {budget:g} % CPU budget the sensor follows about "
                  f"{whole_rate * budget / 100:,.0f} opens/s (whole path)")
        if len(reads) != args.opens // args.hit_every:
            raise SystemExit("wrong number of credential reads reported")


if __name__ == "__main__":
    main()

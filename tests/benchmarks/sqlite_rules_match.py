"""The SQLite-backend approach as one command (the baseline of bench_rules_match.py).

What Zircolite does, with pySigma 2.0.1 + pysigma-backend-sqlite 2.1.1: load and convert the rules,
read the JSON-lines events into one in-memory table (tests/support/sigma_oracle.py: Zircolite's
column layout), run every rule's query restricted to its logsource, write one JSON line per match in
`clawwatch rules match`'s format. Correlation rules are not run (the backend turns them into
window-function SQL needing a timestamp column; the pack's two correlations are left out).

    python tests/benchmarks/sqlite_rules_match.py --rules PATH... --events FILE.jsonl [--batch N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.support.sigma_oracle import SQLiteOracle, convert, load_sigma_rules  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", nargs="+", type=Path, required=True)
    parser.add_argument("--events", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=0, help="events per table fill (0: all at once)")
    parser.add_argument("--converted", type=Path, help="write the ids of the rules the backend converted here")
    args = parser.parse_args()
    converted, _failed = convert(load_sigma_rules(args.rules))
    if args.converted is not None:
        args.converted.write_text("\n".join(r.id for r in converted) + "\n")
    with args.events.open("rb") as f:
        events = [json.loads(line) for line in f if line.strip()]
    oracle = SQLiteOracle(converted, routed=True)
    oracle.prepare(events)
    batch = args.batch or len(events)
    titles = {r.id: (r.title, r.rule.level.name.lower() if r.rule.level else "medium") for r in converted}
    out = sys.stdout
    for first in range(0, len(events), batch):
        oracle.insert(events[first : first + batch], first_id=first)
        found = sorted((eid, rule_id) for rule_id, ids in oracle.matches().items() for eid in ids)
        for eid, rule_id in found:
            title, level = titles[rule_id]
            out.write(json.dumps({"event": eid, "rule": rule_id, "title": title, "level": level}) + "\n")
        oracle.clear()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Steady-state cost of the live sensor daemon on this machine (acceptance 5 of the sensor issue).

Starts 500 extra idle processes, then the daemon (`python -m sensor.daemon run`, default config,
bundled detections when present, JSON-lines output to a temp file), lets it settle, and measures it
from outside over 60 s: CPU time of its PID (user+system, psutil) as a share of one core, and RSS
sampled every second. Targets: <= 0.5 % of one core, <= 40 MB RSS (the daemon starts from the
compiled rule bundle shipped for the pack: no pySigma, no YAML). In the same run, for comparison, the
same daemon whose rules do not match the bundle (a copy of detections/ with one comment added, given
in a config file), so it compiles them from YAML at start as every start did before the bundle. Also
prints the RSS of the daemon started through the full `clawwatch` dispatcher.

    .venv/bin/python tests/benchmarks/bench_sensor_idle.py [--seconds 60] [--idle 500] [--settle 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
CPU_TARGET_PCT = 0.5
RSS_TARGET_MB = 40.0


def start_idle(n: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen(["/bin/sleep", "3600"], stdin=subprocess.DEVNULL) for _ in range(n)]


def start_daemon(argv: list[str], workdir: Path, extra: tuple[str, ...] = ()) -> subprocess.Popen[bytes]:
    log = (workdir / "sensor.log").open("wb")
    proc = subprocess.Popen([*argv, "run", "--output", str(workdir / "out.jsonl"), *extra],
                            stdout=subprocess.DEVNULL, stderr=log, cwd=REPO)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if b"sensor running" in (workdir / "sensor.log").read_bytes():
            return proc
        if proc.poll() is not None:
            raise SystemExit(f"daemon exited: {(workdir / 'sensor.log').read_text()}")
        time.sleep(0.1)
    raise SystemExit("daemon did not start in 120 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _records(work: Path) -> int:
    out = work / "out.jsonl"
    return out.read_bytes().count(b"\n") if out.exists() else 0


def _cpu(p: psutil.Process) -> tuple[float, float]:
    """(own user+system, reaped children's user+system: the inventory scan workers)."""
    t = p.cpu_times()
    return t.user + t.system, t.children_user + t.children_system


def measure(pid: int, seconds: float) -> tuple[float, float, float, float]:
    """(cpu % of one core, incl. scan workers %, mean RSS MB, max RSS MB) over ``seconds``."""
    p = psutil.Process(pid)
    t0, (own0, kids0) = time.monotonic(), _cpu(p)
    rss: list[float] = []
    while time.monotonic() - t0 < seconds:
        rss.append(p.memory_info().rss / 2**20)
        time.sleep(1.0)
    elapsed, (own1, kids1) = time.monotonic() - t0, _cpu(p)
    own = 100.0 * (own1 - own0) / elapsed
    return own, own + 100.0 * (kids1 - kids0) / elapsed, sum(rss) / len(rss), max(rss)


def _yaml_start(work: Path, args: argparse.Namespace) -> tuple[float, float, float, float]:
    """The same daemon with rules that no bundle matches: compiled from YAML at start."""
    rules = work / "rules-edited"
    shutil.copytree(REPO / "detections", rules)
    victim = sorted(p for p in rules.rglob("*.yml") if not p.name.endswith(".tests.yml"))[0]
    victim.write_text(victim.read_text() + "\n# edited: no compiled bundle matches this rule set\n")
    config = work / "yaml.toml"
    config.write_text(f"[sensor]\nrules = [{json.dumps(str(rules))}]\n")
    yaml_dir = work / "yaml"
    yaml_dir.mkdir()
    proc = start_daemon([sys.executable, "-m", "sensor.daemon"], yaml_dir, ("--config", str(config)))
    try:
        time.sleep(args.settle)
        return measure(proc.pid, args.seconds)
    finally:
        stop(proc)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--idle", type=int, default=500)
    ap.add_argument("--settle", type=float, default=15.0)
    args = ap.parse_args()
    print(f"host: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"{len(psutil.pids())} processes before the idle set; root={os.geteuid() == 0}")
    idle = start_idle(args.idle)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sensor-") as tmp:
            work = Path(tmp)
            daemon = start_daemon([sys.executable, "-m", "sensor.daemon"], work)
            try:
                time.sleep(args.settle)
                lines0 = _records(work)
                cpu, cpu_all, rss_mean, rss_max = measure(daemon.pid, args.seconds)
                during = _records(work) - lines0
            finally:
                stop(daemon)
            lines = _records(work)
            yaml_start = _yaml_start(work, args)
            full = work / "full"
            full.mkdir()
            clawwatch = REPO / ".venv" / "bin" / "clawwatch"
            dispatcher = start_daemon([str(clawwatch), "sensor"], full) if clawwatch.exists() else None
            dispatcher_rss = None
            if dispatcher is not None:
                try:
                    time.sleep(args.settle)
                    dispatcher_rss = psutil.Process(dispatcher.pid).memory_info().rss / 2**20
                finally:
                    stop(dispatcher)
    finally:
        for p in idle:
            p.kill()
        for p in idle:
            p.wait()
    print(f"daemon (python -m sensor.daemon), {args.idle} extra idle processes, {args.seconds:.0f} s "
          f"after {args.settle:.0f} s settle; {lines} records written, {during} during the measurement "
          f"({during / args.seconds:.1f}/s: other activity on this shared host)")
    print(f"  cpu: {cpu:.3f} % of one core   target <= {CPU_TARGET_PCT} %   ratio {cpu / CPU_TARGET_PCT:.2f}")
    print(f"  cpu incl. inventory scan workers: {cpu_all:.3f} % of one core")
    print(f"  rss: mean {rss_mean:.1f} MB, max {rss_max:.1f} MB   target <= {RSS_TARGET_MB:.0f} MB   "
          f"ratio {rss_max / RSS_TARGET_MB:.2f}")
    if dispatcher_rss is not None:
        print(f"  rss via `clawwatch sensor run` (the CLI dispatcher in front of the daemon): {dispatcher_rss:.1f} MB")
    ycpu, _, yrss_mean, yrss_max = yaml_start
    print(f"  same run, rules compiled from YAML at start (no matching bundle): cpu {ycpu:.3f} % of one core, "
          f"rss mean {yrss_mean:.1f} MB, max {yrss_max:.1f} MB")
    print(f"  bundle vs YAML start: rss {rss_max:.1f} / {yrss_max:.1f} MB = {rss_max / yrss_max:.2f}; "
          f"cpu {cpu:.3f} / {ycpu:.3f} %")
    ok = cpu <= CPU_TARGET_PCT and rss_max <= RSS_TARGET_MB
    print("  result:", "within targets" if ok else "OVER TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())

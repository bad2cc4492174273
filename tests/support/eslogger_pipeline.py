"""Replay an eslogger stream through the sensor's real sources and normalizer (no daemon, no network).

The eslogger process is replaced by a file at the supervisor's one seam (``ReplayFile``); everything
after it is the production code the daemon runs on a Mac: parser, hub, exec trigger, exec-info reader,
ancestry cache, process source, file-access source with the macOS credential catalogue, normalizer.
The live reader (psutil) is left out (``fallback=None``): what this Linux host runs is not on the Mac
the stream came from, so processes are known only from the stream, as a Mac's would be at exec time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.attribution.ancestry import AncestryCache
from sensor.normalizer import Normalizer
from sensor.sources.eslogger.adapters import EsloggerExecTrigger, EsloggerFileBackend, EsloggerHub, ExecInfoReader
from sensor.sources.eslogger.replay import ReplayFile
from sensor.sources.files.macos import HOME_ENTRIES
from sensor.sources.files.source import FileAccessSource
from sensor.sources.observations import Observation
from sensor.sources.processes.source import ProcessSource


class Collected:
    def __init__(self) -> None:
        self.items: list[Observation] = []
        self._lock = threading.Lock()

    def offer(self, obs: Observation) -> bool:
        with self._lock:
            self.items.append(obs)
        return True


@dataclass
class Replayed:
    events: list[dict[str, Any]]
    observations: list[Observation]
    hub: EsloggerHub
    ancestry: AncestryCache
    counters: dict[str, int] = field(default_factory=dict)


def replay(stream: Sequence[bytes], workdir: Path, homes: Sequence[tuple[str | None, Path]] = (),
           *, timeout: float = 30.0) -> Replayed:
    path = workdir / "eslogger-replay.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in stream))
    hub = EsloggerHub(launcher=ReplayFile(path))
    reader = ExecInfoReader(hub.cache, fallback=None)
    ancestry = AncestryCache(reader)
    processes = ProcessSource(ancestry, reader, EsloggerExecTrigger(hub), poll_interval=3600)
    files = FileAccessSource(backend=EsloggerFileBackend(hub), degraded_reason=None, homes=lambda: list(homes),
                             state_dirs=list, home_entries=HOME_ENTRIES, ancestry=ancestry,
                             rescan_interval=3600)
    intake = Collected()
    processes.start(intake)
    files.start(intake)
    hub.start(intake)  # last, as the daemon does: everyone listens before the first line is read
    try:
        if not hub.supervisor.wait_idle(timeout):
            raise AssertionError(f"replay did not finish in {timeout}s: {dict(hub.counters)}")
    finally:
        hub.stop()
        files.stop()
        processes.stop()
    normalizer = Normalizer(reader.current_cmdline, ancestry.freshest)
    events = [normalizer.normalize(o).to_match_dict() for o in intake.items]
    counters = {**{f"eslogger.{k}": v for k, v in hub.counters.items()},
                **{f"files.{k}": v for k, v in files.counters.items()},
                **{f"processes.{k}": v for k, v in processes.counters.items()}}
    return Replayed(events, intake.items, hub, ancestry, counters)

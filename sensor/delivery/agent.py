"""The delivery agent: host id + spool + credential + shipper thread, wired from one state directory.

State directory layout: ``host_id``, ``spool.db`` (+ WAL files), ``credential.json`` (0600).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sensor.delivery.enrollment import CredentialStore
from sensor.delivery.sequence import load_or_create_host_id
from sensor.delivery.shipper import Shipper, ShipperConfig
from sensor.delivery.sink import SpoolSink
from sensor.delivery.spool import DEFAULT_MAX_BYTES, Spool

log = logging.getLogger("clawwatch.delivery")


@dataclass(frozen=True)
class DeliveryConfig:
    state_dir: Path
    shipper: ShipperConfig | None  # None: spool only (records kept for a later collector)
    spool_max_bytes: int = DEFAULT_MAX_BYTES


class DeliveryAgent:
    def __init__(self, config: DeliveryConfig) -> None:
        self.config = config
        config.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.host_id = load_or_create_host_id(config.state_dir)
        self.spool = Spool(config.state_dir / "spool.db", self.host_id, config.spool_max_bytes)
        self.credentials = CredentialStore(config.state_dir)
        if self.spool.created_fresh:
            # A new spool restarts sequence numbers: enroll again to learn the collector's next_seq.
            self.credentials.clear()
        self.sink = SpoolSink(self.spool)
        self.shipper = Shipper(self.spool, self.credentials, config.shipper) if config.shipper else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.shipper is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self.shipper.run, args=(self._stop,), name="clawwatch-shipper",
                                        daemon=True)
        self._thread.start()

    def drain(self) -> None:
        """Stop the background shipper, then ship in the calling thread until the spool is empty."""
        if self.shipper is None:
            return
        if self._thread is not None:
            self._stop.set()
            self.spool.new_data.set()
            self._thread.join()
            self._thread = None
            self._stop.clear()
        self.shipper.run(self._stop, drain_and_exit=True)

    def stop(self, timeout: float = 5.0, drain_s: float = 0.0) -> None:
        """Stop shipping; with ``drain_s``, first give the running shipper that long to empty the spool
        (whatever is left stays spooled for the next start)."""
        deadline = time.monotonic() + drain_s
        while self._thread is not None and len(self.spool) and time.monotonic() < deadline:
            self.spool.new_data.set()
            time.sleep(0.05)
        self._stop.set()
        self.spool.new_data.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.spool.close()

"""The ``[collector]`` section of the sensor config file (every key also a `sensor run` flag)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

from sensor.delivery.spool import DEFAULT_MAX_BYTES


def default_state_dir() -> Path:
    return Path(platformdirs.user_state_dir("clawwatch")) / "delivery"


class CollectorSection(BaseModel):
    """Example::

        [collector]
        url = "https://collector.example.com:8765"   # empty: no shipping
        enroll_secret = ""        # or env CLAWWATCH_ENROLL_SECRET
        ca_bundle = ""            # PEM file with the CA(s) that signed the collector's certificate
        proxy = ""                # http(s) proxy URL; empty: HTTPS_PROXY / NO_PROXY from the environment
        state_dir = ""            # host_id, spool.db, credential.json; empty: the user state dir
        spool_max_mb = 64
        ship_events = false       # also ship raw events (alerts, inventory, health are always shipped)
        heartbeat_s = 300         # ship a health report at most this often: it is the host's heartbeat
    """

    model_config = ConfigDict(extra="forbid")

    url: str = ""
    enroll_secret: str = ""
    ca_bundle: str = ""
    proxy: str = ""
    state_dir: str = ""
    spool_max_mb: float = Field(default=DEFAULT_MAX_BYTES / 2**20, gt=0)
    ship_events: bool = False
    # The collector marks a host stale after 15 minutes without a record (its default); the fleet is sized for
    # one heartbeat per host every 5 minutes (100,000 hosts: 333/s). Every health report still goes to --output.
    heartbeat_s: float = Field(default=300.0, gt=0)

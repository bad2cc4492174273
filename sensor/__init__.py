"""clawwatch sensor: finds OpenClaw (ex-Clawdbot/Moltbot) installs and watches what they do."""

from sensor.schema.version import __version__

__all__ = ["__version__"]

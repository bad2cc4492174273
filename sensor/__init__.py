"""clawwatch sensor: finds OpenClaw (ex-Clawdbot/Moltbot) installs and watches what they do."""

__version__ = "0.1.0"

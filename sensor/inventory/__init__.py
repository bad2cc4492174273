"""The scanner: OpenClaw knowledge + host facts -> one ``sensor.schema.ScanReport``."""

"""The version of clawwatch: the sensor reports it, the collector's API and SIEM documents carry it."""

__version__ = "0.1.0"

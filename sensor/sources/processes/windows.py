"""Windows processes: psutil polling (an ETW kernel-process trigger is not implemented)."""

from sensor.sources.processes.portable import make_reader, make_trigger

__all__ = ["make_reader", "make_trigger"]

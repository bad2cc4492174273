"""macOS processes: psutil polling (EndpointSecurity needs an entitled, notarised binary)."""

from sensor.sources.processes.portable import make_reader, make_trigger

__all__ = ["make_reader", "make_trigger"]

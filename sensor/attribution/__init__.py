"""Agent attribution: does an actor (a PID) belong to an OpenClaw process tree?"""

from sensor.attribution.ancestry import AncestryCache, Attribution, ProcessNode

__all__ = ["AncestryCache", "Attribution", "ProcessNode"]

"""Observations -> ``sensor.schema.Event`` match dicts (Sigma taxonomy names plus ours)."""

from sensor.normalizer.normalize import Normalizer

__all__ = ["Normalizer"]

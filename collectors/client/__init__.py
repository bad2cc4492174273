"""The collector's clients: `clawwatch fleet` and `clawwatch alerts` (the query side of the collector API).

The `clawwatch` dispatcher (sensor/cli/main.py) loads these commands by module name when one is chosen; the
sensor never imports them.
"""

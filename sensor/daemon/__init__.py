"""The live sensor daemon: sources -> intake -> normalizer -> rule engine -> sinks (daemon.py)."""

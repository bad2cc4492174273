"""The collector's HTTP API (FastAPI): one router per concern, auth dependencies, the app factory."""

"""The clawwatch collector: enrollment, ingest, storage and (later) query APIs, console, forwarders."""

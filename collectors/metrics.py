"""The collector's Prometheus metric objects: ingest, queries, forwarder queues and errors.

They are module-level on the default registry, labelled per record kind / forwarder name, so every part of
the collector (ingest, forwarders, queries) updates the same series; ``collectors/api/routers/metrics.py``
serves them at ``/metrics``. Every metric declared here is updated somewhere (tests/integration/collector/
test_collector_metrics.py reads each from a real collector process).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INGEST_RECORDS = Counter(
    "clawwatch_ingest_records", "Records accepted by ingest, by kind", ["kind"]
)
INGEST_DUPLICATES = Counter("clawwatch_ingest_duplicates", "Records ignored as already stored (host, seq)")
INGEST_UNREADABLE = Counter("clawwatch_ingest_unreadable", "Records stored whose body does not read as its kind "
                            "(not projected), by kind", ["kind"])
INGEST_REJECTED = Counter("clawwatch_ingest_rejected", "Ingest requests refused, by reason", ["reason"])
INGEST_BATCH_SECONDS = Histogram(
    "clawwatch_ingest_batch_seconds", "Time to validate and store one ingest batch",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
INVENTORY_CHANGES = Counter("clawwatch_inventory_changes", "Inventory changes recorded, by type", ["change"])
QUERY_SECONDS = Histogram(
    "clawwatch_query_seconds", "Time to answer a fleet/alerts query", ["endpoint"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
FORWARDER_QUEUE_DEPTH = Gauge(
    "clawwatch_forwarder_queue_depth", "Alerts waiting in a forwarder queue", ["forwarder"]
)
FORWARDER_SENT = Counter("clawwatch_forwarder_sent", "Alerts delivered by a forwarder", ["forwarder"])
FORWARDER_ERRORS = Counter("clawwatch_forwarder_errors", "Failed delivery attempts (retried)", ["forwarder"])
FORWARDER_REJECTED = Counter(
    "clawwatch_forwarder_rejected", "Alerts the receiver refused as malformed (dropped)", ["forwarder"]
)
FORWARDER_DROPPED = Gauge(
    "clawwatch_forwarder_dropped", "Alerts dropped because the forwarder queue was full", ["forwarder"]
)

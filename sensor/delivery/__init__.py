"""Delivery: the on-disk spool, host identity and sequence numbers, enrollment and the shipper."""

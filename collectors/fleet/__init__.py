"""Fleet inventory and SOC views: projection of ingested records into query tables, queries, triage."""

"""Pure mappers from our schema to what SIEMs ingest: ECS, OCSF, CSV/JSON rows."""

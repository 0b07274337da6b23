"""Orchestration of the pipeline and the database: ingestion, lookup, export records."""

"""Ingestion: envelopes, the pipeline from raw record to storage, quarantine and file readers."""

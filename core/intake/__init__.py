"""Data that suppliers write over HTTP: uploads and pushes as jobs, source health, replay."""

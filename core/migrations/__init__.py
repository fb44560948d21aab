"""Alembic environment and core revisions; pilots add their own version folders."""

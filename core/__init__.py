"""Shared machinery of Stadspuls: settings, storage, handbook, pilot contract, ingestion.

Nothing in ``core`` knows a pilot by name; pilots plug in through :mod:`core.pilot`.
"""

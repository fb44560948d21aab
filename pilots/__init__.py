"""Pilot packages: one per Smart Flanders domain, each declaring a :class:`core.pilot.Pilot`."""

"""The supplier's validation report: one model, rendered as JSON, JUnit XML and text.

``stadspuls validate``, ``stadspuls validate-feed`` and the API's ``/validate`` build the same
:class:`~core.reports.model.ValidationReport` from a dry run's summary, so a supplier sees the
same verdict, counts and problems whichever way it asks.
"""

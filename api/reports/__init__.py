"""How the validation service answers: JSON, an HTML page, or JUnit XML, chosen per request."""

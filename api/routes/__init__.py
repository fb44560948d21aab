"""Route groups; each module's ``router(settings)`` builds its ``APIRouter`` for one app."""

"""Periodic work of accounts (Celery beat; ``manage.py setup_schedules`` creates the schedule)."""
from celery import shared_task

from . import services


@shared_task(name="accounts.clear_expired_sessions", acks_late=True)
def clear_expired_sessions():
    """Delete the sessions past their expiry: they live in the database only, and nothing else removes them."""
    return {"deleted": services.sessions_clear_expired()}

"""Coordinator pages: dashboard, partnerships, members, goals and indicators, review queue."""

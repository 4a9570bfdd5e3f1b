"""Logging helpers: every record about a request says which request and which user.

Only the method, path and user id are added. Request bodies, passwords and uploaded
file contents are never logged: Django's error reporter masks sensitive POST fields,
and this filter does not look at the body at all.
"""
import logging


class RequestContextFilter(logging.Filter):
    """Add ``request_line`` ("GET /path") and ``user_id`` to records that carry a request."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            record.request_line = f"{request.method} {request.path}"
            user = getattr(request, "user", None)
            record.user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else "-"
        else:
            record.request_line = getattr(record, "request_line", "-")
            record.user_id = getattr(record, "user_id", "-")
        return True

"""Template helpers for the account pages."""
import datetime

from django import template

register = template.Library()


@register.filter
def minutes(value):
    """Return a timedelta (or a number of seconds) as whole minutes, rounded up."""
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    else:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            return ""
    return max(1, int(-(-seconds // 60)))

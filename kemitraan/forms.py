"""What a service refused, shown on the form that asked for it: one helper for every view."""
import logging

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CHANGED_MEANWHILE = _("This could not be saved because the records it refers to changed at the same moment. "
                      "Check the form and try again.")


def add_service_errors(form, error) -> None:
    """Put ``error`` raised by a service onto ``form``.

    A ValidationError goes next to the fields it names (above the form for the others). An
    IntegrityError is the database refusing the write after the service's checks passed (a row
    it refers to deleted, or a constraint broken, by a change at the same moment): the service's
    transaction was rolled back, and the person gets one message above the form.
    """
    if isinstance(error, IntegrityError):
        logger.warning("write refused by the database: %s", error)
        form.add_error(None, CHANGED_MEANWHILE)
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)

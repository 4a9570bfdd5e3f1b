"""The two parts of the sign-in lockout that django-axes' settings cannot say on their own.

Everything else is axes as it ships (``AXES_*`` in the settings): it records each failure
with its account and address, counts an account's failures across every address
(``AXES_LOCKOUT_PARAMETERS = ["username"]``), locks the account at ``AXES_FAILURE_LIMIT``,
resets the account's count on a successful sign-in and shows the lockout page.

- **A second, higher limit per address, across accounts.** axes compares the highest count of
  its lockout parameters with one limit. With ``["username", "ip_address"]`` five failures
  against one account locked every account of that address (behind a proxy, every user), and
  a correct sign-in to any account from the address reset the count of all of them, so a guesser
  with an account of their own was never stopped. So the account is axes' only parameter, and
  :class:`LockoutHandler` adds the address's failures on all accounts, within the cool-off,
  against ``AXES_ADDRESS_FAILURE_LIMIT``.
- **The client's address behind trusted proxies** (:func:`client_address`). axes 8 reads
  ``REMOTE_ADDR`` unless django-ipware is installed or ``AXES_CLIENT_IP_CALLABLE`` is set. The
  rule needs one line (the N-th address from the right of ``X-Forwarded-For``, as Django REST
  framework's ``NUM_PROXIES`` and Werkzeug's ``ProxyFix`` read it) and no new dependency;
  ipware's default engine would also prefer a public proxy address over a private client's.
"""
import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """Return the address a sign-in comes from (``AXES_CLIENT_IP_CALLABLE``).

    A client can send any ``X-Forwarded-For`` it likes; each proxy appends the address that
    connected to it. With ``TRUSTED_PROXY_COUNT`` = N proxies in front of the app, the N-th
    address from the right was appended by the outermost one: the real client. Everything to
    its left came from the client and is ignored. Without trusted proxies (the default), or
    when the header has fewer addresses than that or not an address there, the connecting
    address (``REMOTE_ADDR``) is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count].strip()))
    except ValueError:
        return remote


def address_failures(request) -> int:
    """Return the failed sign-ins from the request's address on any account within the cool-off."""
    address = request.axes_ip_address
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the address's own limit across accounts (see the module)."""

    def get_failures(self, request, credentials=None) -> int:
        """Return the account's failures, or the account limit once the address has reached its own.

        axes asks this both before checking a password (refusing a locked sign-in) and after a
        failure (showing the lockout page at once), so the address's lock takes effect the same
        way and at the same moment as the account's.
        """
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

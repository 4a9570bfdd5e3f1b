import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import patch_cache_control

# The session key holding the time (epoch seconds) of the signed-in user's last request.
LAST_ACTIVITY_KEY = "_last_activity"
# The session key holding the time (epoch seconds) of the sign-in itself.
SIGNED_IN_AT_KEY = "_signed_in_at"
# Set in the fresh session after an automatic sign-out, so the sign-in page can say why.
EXPIRED_LOGOUT_KEY = "_expired_logout"
# Record activity at most this often, so that not every request rewrites the session.
ACTIVITY_RESOLUTION = 30


class UserLanguageMiddleware:
    """Switch the interface to the signed-in user's preferred language.

    A language chosen explicitly through the language switch (the cookie set by
    ``set_language``) wins for the session; otherwise the profile decides. Sign-in and
    saving the profile set that cookie to the preferred language, so both agree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Sign out a user after ``SESSION_IDLE_TIMEOUT`` seconds without a request, or ``SESSION_COOKIE_AGE`` after sign-in.

    Django renews a session's expiry each time the session is saved, so the absolute
    limit is enforced here from the sign-in time, not left to the cookie. The idle limit
    ends sessions left open on a shared computer. The request then continues as
    anonymous: pages that need a signed-in user send it to the sign-in page, which
    explains what happened.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = int(time.time())
        idle_timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", None)
        absolute_timeout = settings.SESSION_COOKIE_AGE
        last = session.get(LAST_ACTIVITY_KEY)
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        if signed_in_at is None:
            # A session from before this middleware: start its clocks now.
            session[SIGNED_IN_AT_KEY] = signed_in_at = now
        idle = bool(idle_timeout) and last is not None and now - int(last) > idle_timeout
        too_old = now - int(signed_in_at) > absolute_timeout
        if idle or too_old:
            logout(request)
            request.session[EXPIRED_LOGOUT_KEY] = "idle" if idle else "absolute"
        elif last is None or now - int(last) >= min(ACTIVITY_RESOLUTION, idle_timeout or ACTIVITY_RESOLUTION):
            session[LAST_ACTIVITY_KEY] = now


class PrivateCacheControlMiddleware:
    """Send ``Cache-Control: private, no-store`` with every response to a signed-in user.

    Signed-in pages show one person's data (their partnerships, reports, names and amounts):
    no shared proxy may keep them, and no browser should keep them on disk after sign-out on
    a shared computer. Marking every signed-in response is simpler and safer than choosing
    page by page. A view that set its own ``Cache-Control`` (``never_cache``, a download)
    keeps it. Anonymous responses are left as they are, and static files never get here
    (WhiteNoise answers them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_store=True)
        return response

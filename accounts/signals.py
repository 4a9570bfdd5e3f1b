"""Session bookkeeping: start the idle and absolute clocks at sign-in; end sessions of deactivated users."""
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY


@receiver(user_logged_in, dispatch_uid="accounts_start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LAST_ACTIVITY_KEY] = now
        request.session[SIGNED_IN_AT_KEY] = now


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_end_sessions_of_inactive_user")
def end_sessions_of_inactive_user(sender, instance, created, update_fields=None, **kwargs):
    """Whoever deactivates a user (admin, service, shell), their open sessions end at once."""
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    from .services import user_sessions_end

    user_sessions_end(user=instance)

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Create users identified by their email address."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# Honorifics, religious titles and degrees written before a name (as written without a full stop, in
# lower case): doctor (dr, drg, drh), professor, engineer (ir), haji and hajah (h, hj), kyai haji (kh),
# doktorandus/doktoranda (drs, dra), and the courtesy words bapak/ibu with their short forms.
NAME_TITLES = {
    "dr", "drg", "drh", "prof", "ir", "h", "hj", "kh", "drs", "dra", "bapak", "bpk", "pak", "ibu", "bu",
    "mr", "mrs", "ms",
}


class User(AbstractUser):
    """A person who signs in with an email address.

    The organisations a person represents are on ``Organisation.representatives``
    (``user.organisations``); the partnerships a person coordinates are on
    ``Partnership.coordinators`` (``user.coordinated_partnerships``).
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="id"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        """Return the name a person is called by: the first word of the full name that is not a title.

        Indonesian names often begin with an honorific or a degree ("dr. Andi Pratama", "Hj. Siti
        Aminah", "Prof. Dr. Ir. Budi"), and a menu showing "dr." names nobody. Titles are the known
        ones (``NAME_TITLES``) and any word ending in a full stop (an initial or an abbreviation).
        A name made of titles only is shown whole; without a full name, the email address before the @.
        """
        words = self.full_name.replace(",", " ").split()
        for word in words:
            if not word.endswith(".") and word.lower() not in NAME_TITLES:
                return word
        return self.full_name.strip() or self.email.split("@")[0]


class Invitation(models.Model):
    """An emailed, single-use and expiring invitation to represent an organisation.

    Only a SHA-256 hash of the token is stored: the raw token exists in the email alone,
    so a leaked database cannot be used to accept invitations.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="id",
        help_text=_("The language of the invitation email and of the new account."),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "organisation"], name="invitation_email_org")]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def status(self):
        """Return the invitation's state now: accepted, revoked, expired or pending."""
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.is_expired:
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.status == self.Status.PENDING


class Session(AbstractBaseSession):
    """A browser session: Django's database session, with the user it is signed in as in a column of its own.

    ``accounts.sessions.SessionStore`` writes the column from the session's data on every save; a
    user's sessions are found by the column (``user.sessions``), not by decoding every row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("user"),
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore

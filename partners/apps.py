from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partnerships")

    def ready(self):
        from . import signals

        signals.connect_all()  # cached page fragments follow every change (kemitraan/fragments.py)

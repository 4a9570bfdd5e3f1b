from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The pages that combine partnerships and evaluations (home, dashboard, partnership page, partner
    home), a person's deadlines across both, and the demo data; above ``partners`` and
    ``evaluations``, which never import it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"

"""URLs of evaluation cycles (evaluasi/), follow-up actions (tindak-lanjut/) and decisions (keputusan/).

Each group is one ``include()`` (see partners/urls.py): a path is tested against the patterns of
its own group only.
"""
from django.urls import include, path

from . import views

app_name = "evaluations"

# Evaluation cycles, answers, results and findings.
cycle_patterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("kemitraan/<int:partnership_pk>/", views.partnership_cycles, name="partnership_cycles"),
    path("kemitraan/<int:partnership_pk>/baru/", views.cycle_create, name="cycle_create"),
    path("<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("<int:pk>/buka/", views.cycle_open, name="cycle_open"),
    path("<int:pk>/tutup/", views.cycle_close, name="cycle_close"),
    path("<int:pk>/jawab/<int:membership_pk>/", views.cycle_respond, name="cycle_respond"),
    path("<int:pk>/temuan/baru/", views.finding_create, name="finding_create"),
]

# Follow-up actions.
action_patterns = [
    path("", views.my_actions, name="my_actions"),
    path("kemitraan/<int:partnership_pk>/", views.partnership_actions, name="partnership_actions"),
    path("kemitraan/<int:partnership_pk>/baru/", views.action_create, name="action_create"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/ubah/", views.action_update, name="action_update"),
]

# Decisions and votes.
decision_patterns = [
    path("", views.decision_list, name="decision_list"),
    path("kemitraan/<int:partnership_pk>/", views.partnership_decisions, name="partnership_decisions"),
    path("kemitraan/<int:partnership_pk>/baru/", views.decision_create, name="decision_create"),
    path("<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<int:pk>/suara/<int:membership_pk>/", views.decision_vote, name="decision_vote"),
    path("<int:pk>/tutup/", views.decision_close, name="decision_close"),
]

urlpatterns = [
    path("evaluasi/", include(cycle_patterns)),
    path("tindak-lanjut/", include(action_patterns)),
    path("keputusan/", include(decision_patterns)),
]

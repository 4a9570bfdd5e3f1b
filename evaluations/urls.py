"""URLs of evaluation cycles (evaluasi/), follow-up actions (tindak-lanjut/) and decisions (keputusan/)."""
from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    # Evaluation cycles, answers, results and findings.
    path("evaluasi/", views.cycle_list, name="cycle_list"),
    path("evaluasi/kemitraan/<int:partnership_pk>/", views.partnership_cycles, name="partnership_cycles"),
    path("evaluasi/kemitraan/<int:partnership_pk>/baru/", views.cycle_create, name="cycle_create"),
    path("evaluasi/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("evaluasi/<int:pk>/buka/", views.cycle_open, name="cycle_open"),
    path("evaluasi/<int:pk>/tutup/", views.cycle_close, name="cycle_close"),
    path("evaluasi/<int:pk>/jawab/<int:membership_pk>/", views.cycle_respond, name="cycle_respond"),
    path("evaluasi/<int:pk>/temuan/baru/", views.finding_create, name="finding_create"),
    # Follow-up actions.
    path("tindak-lanjut/", views.my_actions, name="my_actions"),
    path("tindak-lanjut/kemitraan/<int:partnership_pk>/", views.partnership_actions, name="partnership_actions"),
    path("tindak-lanjut/kemitraan/<int:partnership_pk>/baru/", views.action_create, name="action_create"),
    path("tindak-lanjut/<int:pk>/", views.action_detail, name="action_detail"),
    path("tindak-lanjut/<int:pk>/status/", views.action_status, name="action_status"),
    path("tindak-lanjut/<int:pk>/ubah/", views.action_update, name="action_update"),
    # Decisions and votes.
    path("keputusan/", views.decision_list, name="decision_list"),
    path("keputusan/kemitraan/<int:partnership_pk>/", views.partnership_decisions, name="partnership_decisions"),
    path("keputusan/kemitraan/<int:partnership_pk>/baru/", views.decision_create, name="decision_create"),
    path("keputusan/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("keputusan/<int:pk>/suara/<int:membership_pk>/", views.decision_vote, name="decision_vote"),
    path("keputusan/<int:pk>/tutup/", views.decision_close, name="decision_close"),
]

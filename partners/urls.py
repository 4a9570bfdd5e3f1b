"""URLs of the partners app, grouped by their first segment.

Each group is one ``include()``: resolving a path tests the group prefixes first and only the
patterns of the matching group, not every pattern of the app in turn (the report submit POST
tested 28 patterns before its own).
"""
from django.urls import include, path

from .views import attachments, coordinator, indicator_values, report_list, reports

app_name = "partners"

# Coordinator pages (partners/views/coordinator.py), under kemitraan/ (the partnership page itself,
# kemitraan/<pk>/, is workspace's).
coordinator_patterns = [
    path("", coordinator.partnership_list, name="partnership_list"),
    path("new/", coordinator.partnership_create, name="partnership_create"),
    path("<int:pk>/edit/", coordinator.partnership_edit, name="partnership_edit"),
    path("<int:pk>/status/", coordinator.partnership_status, name="partnership_status"),
    path("<int:pk>/pledges/", coordinator.pledge_summary, name="pledge_summary"),
    path("<int:pk>/members/add/", coordinator.membership_add, name="membership_add"),
    path("<int:pk>/members/organisations/", coordinator.organisation_options, name="organisation_options"),
    path("members/<int:pk>/edit/", coordinator.membership_edit, name="membership_edit"),
    path("members/<int:pk>/remove/", coordinator.membership_remove, name="membership_remove"),
    path("<int:pk>/goals/new/", coordinator.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", coordinator.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/delete/", coordinator.goal_delete, name="goal_delete"),
    path("goals/<int:pk>/indicators/new/", coordinator.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", coordinator.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/edit/", coordinator.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", coordinator.indicator_delete, name="indicator_delete"),
    path("reviews/", coordinator.review_queue, name="review_queue"),
    path("reports/<int:pk>/accept/", coordinator.report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", coordinator.report_return, name="report_return"),
]

# Partner representative pages, under mitra/ (the partner home itself, mitra/, is workspace's).
partner_patterns = [
    path("members/<int:pk>/indicator-values/", indicator_values.indicatorvalue_entry, name="indicatorvalue_entry"),
]

# Contribution reports, their list and export (partners/views/report_list.py, reports.py), under laporan/.
report_patterns = [
    path("", report_list.report_list, name="report_list"),
    path("export/", report_list.report_export, name="report_export"),
    path("organisations/", report_list.report_organisation_options, name="report_organisation_options"),
    path("new/", reports.report_create, name="report_create"),
    path("<int:pk>/", reports.report_detail, name="report_detail"),
    path("<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("<int:pk>/submit/", reports.report_submit, name="report_submit"),
    path("<int:pk>/resubmit/", reports.report_resubmit, name="report_resubmit"),
    path("<int:pk>/delete/", reports.report_delete, name="report_delete"),
    path("<int:pk>/attachments/new/", attachments.attachment_add, name="attachment_add"),
]

# Attachments of reports (partners/views/attachments.py), under lampiran/.
attachment_patterns = [
    path("<int:pk>/download/", attachments.attachment_download, name="attachment_download"),
    path("<int:pk>/delete/", attachments.attachment_delete, name="attachment_delete"),
]

urlpatterns = [
    path("kemitraan/", include(coordinator_patterns)),
    path("mitra/", include(partner_patterns)),
    path("laporan/", include(report_patterns)),
    path("lampiran/", include(attachment_patterns)),
]

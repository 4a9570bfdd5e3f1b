from django.urls import path

from .views import coordinator, reports

app_name = "partners"

urlpatterns = [
    # --- coordinator pages (partners/views/coordinator.py) ---
    path("kemitraan/", coordinator.partnership_list, name="partnership_list"),
    path("kemitraan/new/", coordinator.partnership_create, name="partnership_create"),
    path("kemitraan/<int:pk>/", coordinator.partnership_detail, name="partnership_detail"),
    path("kemitraan/<int:pk>/edit/", coordinator.partnership_edit, name="partnership_edit"),
    path("kemitraan/<int:pk>/pledges/", coordinator.pledge_summary, name="pledge_summary"),
    path("kemitraan/<int:pk>/members/add/", coordinator.membership_add, name="membership_add"),
    path("kemitraan/<int:pk>/members/organisations/", coordinator.organisation_options,
         name="organisation_options"),
    path("kemitraan/members/<int:pk>/edit/", coordinator.membership_edit, name="membership_edit"),
    path("kemitraan/members/<int:pk>/remove/", coordinator.membership_remove, name="membership_remove"),
    path("kemitraan/<int:pk>/goals/new/", coordinator.goal_create, name="goal_create"),
    path("kemitraan/goals/<int:pk>/edit/", coordinator.goal_edit, name="goal_edit"),
    path("kemitraan/goals/<int:pk>/delete/", coordinator.goal_delete, name="goal_delete"),
    path("kemitraan/goals/<int:pk>/indicators/new/", coordinator.indicator_create, name="indicator_create"),
    path("kemitraan/indicators/<int:pk>/", coordinator.indicator_detail, name="indicator_detail"),
    path("kemitraan/indicators/<int:pk>/edit/", coordinator.indicator_edit, name="indicator_edit"),
    path("kemitraan/indicators/<int:pk>/delete/", coordinator.indicator_delete, name="indicator_delete"),
    path("kemitraan/reviews/", coordinator.review_queue, name="review_queue"),
    path("kemitraan/reports/<int:pk>/accept/", coordinator.report_accept, name="report_accept"),
    path("kemitraan/reports/<int:pk>/return/", coordinator.report_return, name="report_return"),
    # --- end coordinator pages ---
    # --- partner representative pages, reports, attachments, exports (partners/views/reports.py) ---
    path("mitra/", reports.partner_home, name="partner_home"),
    path("mitra/members/<int:pk>/indicator-values/", reports.indicatorvalue_entry, name="indicatorvalue_entry"),
    path("laporan/", reports.report_list, name="report_list"),
    path("laporan/export/", reports.report_export, name="report_export"),
    path("laporan/organisations/", reports.report_organisation_options, name="report_organisation_options"),
    path("laporan/new/", reports.report_create, name="report_create"),
    path("laporan/<int:pk>/", reports.report_detail, name="report_detail"),
    path("laporan/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("laporan/<int:pk>/submit/", reports.report_submit, name="report_submit"),
    path("laporan/<int:pk>/resubmit/", reports.report_resubmit, name="report_resubmit"),
    path("laporan/<int:pk>/delete/", reports.report_delete, name="report_delete"),
    path("laporan/<int:pk>/attachments/new/", reports.attachment_add, name="attachment_add"),
    path("lampiran/<int:pk>/download/", reports.attachment_download, name="attachment_download"),
    path("lampiran/<int:pk>/delete/", reports.attachment_delete, name="attachment_delete"),
    # --- end partner pages ---
]

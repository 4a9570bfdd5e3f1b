from django.urls import path

from .views import coordinator, reports

app_name = "partners"

urlpatterns = [
    # --- coordinator pages (partners/views/coordinator.py) ---
    # --- end coordinator pages ---
    # --- partner representative pages, reports, attachments, exports (partners/views/reports.py) ---
    path("mitra/", reports.partner_home, name="partner_home"),
    path("mitra/members/<int:pk>/indicator-values/", reports.indicatorvalue_entry, name="indicatorvalue_entry"),
    path("laporan/", reports.report_list, name="report_list"),
    path("laporan/export/", reports.report_export, name="report_export"),
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

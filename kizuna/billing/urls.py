from django.urls import path

from kizuna.billing import views

app_name = "billing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("fee/", views.fee, name="fee"),
    path("fee/preview/", views.fee_preview, name="fee_preview"),
    path("fee/preview/applicant/", views.applicant_fee_preview, name="applicant_fee_preview"),
    path("account/", views.account_edit, name="account"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("staff/", views.staff_invoices, name="staff_invoices"),
    path("staff/invoices/<int:pk>.pdf", views.staff_invoice_pdf, name="staff_invoice_pdf"),
    path(
        "staff/invoices/<int:pk>/correct/",
        views.staff_invoice_correct,
        name="staff_invoice_correct",
    ),
    path("staff/accounts/<int:pk>/", views.staff_account, name="staff_account"),
    path(
        "staff/accounts/<int:pk>/small-business/",
        views.staff_small_business,
        name="staff_small_business",
    ),
    path("staff/accounts/<int:pk>/suspension/", views.staff_suspension, name="staff_suspension"),
    path("staff/rules/", views.staff_rules, name="staff_rules"),
    path("staff/reconciliation/", views.reconciliation, name="reconciliation"),
    path("staff/deposits/<int:pk>/confirm/", views.deposit_confirm, name="deposit_confirm"),
    path("staff/deposits/<int:pk>/reject/", views.deposit_reject, name="deposit_reject"),
    path("staff/exports/", views.export, name="export"),
]

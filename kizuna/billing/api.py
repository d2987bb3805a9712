"""Billing API: a partner's invoices and fee (its own only); staff see every partner's."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from kizuna.accounts.auth import require_scope
from kizuna.accounts.models import Organization
from kizuna.billing import selectors, services
from kizuna.billing.models import BillingCycle, Invoice
from kizuna.billing.permissions import Action, can, is_billing_staff
from kizuna.core.api_errors import ApiError
from kizuna.core.api_schema import Choice, Id, Yen
from kizuna.core.responses import private

router = Router(tags=["billing"])


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    organization_id: int
    recipient_name: str
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    subtotal: int
    tax: int
    total: int
    status: str
    outstanding: int


class InvoiceListOut(Schema):
    items: list[InvoiceOut]


class InvoiceListIn(Schema):
    organization_id: Id | None = None


class FeeOut(Schema):
    organization_id: int
    monthly_fee: int | None
    cycle: str | None
    effective_from: date | None
    next_change_from: date


class FeeIn(Schema):
    monthly_fee: Yen
    cycle: Annotated[str, Choice(BillingCycle.values)]


def _invoice_out(invoice: Invoice) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk,
        number=invoice.display_number,
        kind=invoice.kind,
        organization_id=invoice.account.organization_id,
        recipient_name=invoice.recipient_name,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        subtotal=invoice.subtotal,
        tax=invoice.tax,
        total=invoice.total,
        status=invoice.status,
        outstanding=selectors.outstanding(invoice),
    )


def _organization(request: HttpRequest, organization_id: int, action: Action) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not can(request.user, action, organization):
        # The same answer for "not yours" and "does not exist": ids reveal nothing.
        raise ApiError(404, "not_found", "No such partner organization.")
    return organization


@router.get("/invoices", response=InvoiceListOut, summary="Invoices and credit notes")
def invoice_list(request: HttpRequest, filters: Query[InvoiceListIn]) -> InvoiceListOut:
    user = require_scope(request, "billing:read")
    organization_id = filters.organization_id
    if organization_id is None and is_billing_staff(user):
        invoices = selectors.invoice_list()[:500]
    elif organization_id is None:
        raise ApiError(422, "organization_required", "Pass organization_id.")
    else:
        organization = _organization(request, organization_id, Action.VIEW_BILLING)
        invoices = selectors.invoices_for_account(selectors.account_of(organization))
    return InvoiceListOut(items=[_invoice_out(i) for i in invoices.select_related("account")])


@router.get("/invoices/{invoice_id}/pdf", summary="An invoice as PDF")
def invoice_pdf(request: HttpRequest, invoice_id: Id) -> HttpResponse:
    require_scope(request, "billing:read")
    invoice = Invoice.objects.select_related("account__organization").filter(pk=invoice_id).first()
    if invoice is None or not can(request.user, Action.VIEW_BILLING, invoice.account.organization):
        raise ApiError(404, "not_found", "No such invoice.")
    return private(
        HttpResponse(services.invoice_pdf_store(invoice=invoice), content_type="application/pdf")
    )


def _fee_out(organization: Organization) -> FeeOut:
    account = selectors.account_of(organization)
    choice = selectors.current_choice(account)
    return FeeOut(
        organization_id=organization.pk,
        monthly_fee=choice.monthly_fee if choice else None,
        cycle=choice.cycle if choice else None,
        effective_from=choice.effective_from if choice else None,
        next_change_from=selectors.next_choice_start(account, selectors.today()),
    )


@router.get("/organizations/{organization_id}/fee", response=FeeOut, summary="A partner's fee")
def fee_read(request: HttpRequest, organization_id: Id) -> FeeOut:
    require_scope(request, "billing:read")
    return _fee_out(_organization(request, organization_id, Action.VIEW_BILLING))


@router.put("/organizations/{organization_id}/fee", response=FeeOut, summary="Choose the fee")
def fee_choose(request: HttpRequest, organization_id: Id, payload: FeeIn) -> FeeOut:
    user = require_scope(request, "billing:write")
    organization = _organization(request, organization_id, Action.CHOOSE_FEE)
    account = selectors.account_of(organization)
    if account is None:
        raise ApiError(409, "no_billing_account", "Enter the billing details first.")
    services.fee_choose(
        actor=user,
        account=account,
        monthly_fee=payload.monthly_fee,
        cycle=payload.cycle,
        today=selectors.today(),
    )
    return _fee_out(organization)

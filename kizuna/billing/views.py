"""Billing pages: the partner's fee, account and invoices; the staff's program, invoices,
reconciliation and exports. Each view checks permissions.can and calls services."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.billing import exports, pricing, selectors, services
from kizuna.billing.forms import (
    BillingAccountForm,
    CorrectionForm,
    ExportForm,
    FeeForm,
    RulesForm,
    StatementForm,
    SuspensionForm,
)
from kizuna.billing.models import (
    BillingAccount,
    BillingCycle,
    Deposit,
    Invoice,
    InvoiceStatus,
    SmallBusinessStatus,
)
from kizuna.billing.permissions import Action, billed_organization, can, is_billing_staff
from kizuna.billing.services.program import RULE_FIELDS
from kizuna.core.exports import export_response, requested_format
from kizuna.core.imports import import_job_create
from kizuna.core.models import ImportJob
from kizuna.core.responses import private

View = Callable[..., HttpResponse]


def partner_page(action: Action) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            organization = billed_organization(request.user)
            if organization is None or not can(request.user, action, organization):
                raise PermissionDenied
            request.organization = organization  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def staff_page(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_billing_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# Partner pages


@partner_page(Action.VIEW_BILLING)
def overview(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    account = selectors.account_of(organization)
    choice = selectors.current_choice(account)
    today = selectors.today()
    invoices = list(selectors.invoices_for_account(account).prefetch_related("payments"))
    for invoice in invoices:
        invoice.outstanding = selectors.outstanding(invoice)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/overview.html",
        {
            "organization": organization,
            "account": account,
            "choice": choice,
            "next_choice_start": selectors.next_choice_start(account, today),
            "invoices": invoices,
            "can_choose": can(request.user, Action.CHOOSE_FEE, organization),
            "open_total": sum(i.outstanding for i in invoices),  # type: ignore[attr-defined]
        },
    )


def _fee_bounds(account: BillingAccount | None) -> dict[str, int]:
    return selectors.fee_bounds(account, selectors.today())


def preview_context(account: BillingAccount | None, data: Any) -> dict[str, Any]:
    form = FeeForm(data, **_fee_bounds(account))
    if not form.is_valid():
        return {"preview": None, "problem": _("Enter an amount to see the charge.")}
    start = selectors.next_choice_start(account, selectors.today())
    problem = pricing.fee_error(
        selectors.rules_for(start),
        form.cleaned_data["monthly_fee"],
        small_business=selectors.is_small_business(account),
    )
    preview = selectors.preview(
        account,
        monthly_fee=form.cleaned_data["monthly_fee"],
        cycle=form.cleaned_data["cycle"],
        today=selectors.today(),
    )
    return {"preview": preview, "problem": problem}


@partner_page(Action.CHOOSE_FEE)
def fee(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    account = selectors.account_of(organization)
    if account is None:
        messages.info(request, _("First tell us who to bill."))
        return redirect("billing:account")
    choice = selectors.current_choice(account)
    bounds = _fee_bounds(account)
    initial = {
        "monthly_fee": choice.monthly_fee if choice else bounds["minimum"],
        "cycle": choice.cycle if choice else BillingCycle.MONTHLY,
    }
    form = FeeForm(request.POST or None, initial=initial, **bounds)
    if request.method == "POST" and form.is_valid():
        try:
            new_choice = services.fee_choose(
                actor=request.user,
                account=account,
                today=selectors.today(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error("monthly_fee", error)
        else:
            messages.success(
                request,
                _("Your fee is saved. It applies from %(date)s.")
                % {"date": f"{new_choice.effective_from:%Y-%m-%d}"},
            )
            return redirect("billing:overview")
    context = {
        "form": form,
        "account": account,
        "history": account.choices.all(),
        **bounds,
        **preview_context(account, request.POST or initial),
    }
    return render(request, "billing/fee.html", context)


@partner_page(Action.CHOOSE_FEE)
def fee_preview(request: HttpRequest) -> HttpResponse:
    account = selectors.account_of(request.organization)  # type: ignore[attr-defined]
    return render(request, "billing/_preview.html", preview_context(account, request.GET))


def applicant_fee_preview(request: HttpRequest) -> HttpResponse:
    """The same preview for a company applying to the program (no account yet): public,
    read-only, priced as a first-time partner under the rules of the next period."""
    return render(request, "billing/_preview.html", preview_context(None, request.GET))


@partner_page(Action.CHOOSE_FEE)
def account_edit(request: HttpRequest) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    account = selectors.account_of(organization)
    rules = selectors.rules_for(selectors.next_choice_start(account, selectors.today()))
    initial = {"legal_name": organization.name}
    if account is not None:
        initial = {
            "legal_name": account.legal_name,
            "billing_email": account.billing_email,
            "payer_kana": account.payer_kana,
            "employee_count": account.employee_count,
            "is_sole_proprietor": account.is_sole_proprietor,
            "declare_small_business": account.small_business_status
            != SmallBusinessStatus.NOT_DECLARED,
        }
    form = BillingAccountForm(
        request.POST or None, initial=initial, max_employees=rules.small_business_max_employees
    )
    if request.method == "POST" and form.is_valid():
        services.billing_account_save(
            actor=request.user, organization=organization, **form.cleaned_data
        )
        messages.success(request, _("Billing details saved."))
        return redirect("billing:fee" if account is None else "billing:overview")
    return render(request, "billing/account.html", {"form": form, "account": account})


@partner_page(Action.VIEW_BILLING)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_of(request.organization)  # type: ignore[attr-defined]
    invoice = get_object_or_404(selectors.invoices_for_account(account), pk=pk)
    return _pdf_response(invoice)


def _pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(
        services.invoice_pdf_store(invoice=invoice), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{invoice.display_number}.pdf"'
    return private(response)


# Staff pages


INVOICE_COLUMNS = [
    "number", "kind", "recipient", "registration_number", "period_start", "period_end",
    "issue_date", "due_date", "subtotal", "tax", "total", "status", "overdue_since",
]  # fmt: skip


def _invoice_rows(invoices: Any) -> Any:
    for i in invoices.iterator(chunk_size=500):
        yield [
            i.display_number, i.kind, i.recipient_name, i.registration_number, i.period_start,
            i.period_end, i.issue_date, i.due_date, i.subtotal, i.tax, i.total, i.status,
            i.overdue_since,
        ]  # fmt: skip


@staff_page
def staff_invoices(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    invoices = selectors.invoice_list(status=status, query=query)
    if requested_format(request):
        return export_response(
            request, filename="invoices", header=INVOICE_COLUMNS, rows=_invoice_rows(invoices)
        )
    today = selectors.today()
    return render(
        request,
        "billing/staff_invoices.html",
        {
            "invoices": invoices[:200],
            "invoice_count": invoices.count(),
            "status": status,
            "query": query,
            "statuses": [("", _("All")), ("overdue", _("Overdue")), *InvoiceStatus.choices],
            "overdue": selectors.overdue_accounts(today),
            "pending_declarations": BillingAccount.objects.filter(
                small_business_status=SmallBusinessStatus.PENDING
            ),
            "open_count": selectors.open_invoices().count(),
        },
    )


@staff_page
def staff_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(get_object_or_404(Invoice, pk=pk))


@staff_page
def staff_account(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(BillingAccount.objects.select_related("organization"), pk=pk)
    invoices = list(selectors.invoices_for_account(account))
    for invoice in invoices:
        invoice.outstanding = selectors.outstanding(invoice)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/staff_account.html",
        {
            "account": account,
            "invoices": invoices,
            "history": account.choices.all(),
            "correction_form": CorrectionForm(),
            "suspension_form": SuspensionForm(),
        },
    )


@staff_page
@require_POST
def staff_small_business(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(BillingAccount, pk=pk)
    services.small_business_decide(
        actor=request.user, account=account, approve=request.POST.get("decision") == "approve"
    )
    messages.success(request, _("Decision recorded."))
    return redirect("billing:staff_account", pk=pk)


@staff_page
@require_POST
def staff_suspension(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(BillingAccount, pk=pk)
    form = SuspensionForm(request.POST)
    form.is_valid()
    services.billing_suspension_set(
        actor=request.user,
        account=account,
        suspended=request.POST.get("suspended") == "1",
        reason=form.cleaned_data.get("reason", ""),
    )
    messages.success(request, _("Directory visibility updated."))
    return redirect("billing:staff_account", pk=pk)


@staff_page
@require_POST
def staff_invoice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the correction."))
    else:
        try:
            credit_note, replacement = services.invoice_correct(
                actor=request.user,
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                today=selectors.today(),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Credit note %(credit)s issued; new invoice %(invoice)s.")
                % {
                    "credit": credit_note.display_number,
                    "invoice": replacement.display_number if replacement else "—",
                },
            )
    return redirect("billing:staff_account", pk=invoice.account_id)


@staff_page
def staff_rules(request: HttpRequest) -> HttpResponse:
    today = selectors.today()
    current = selectors.rules_for(today)
    from kizuna.billing.periods import first_of_next_month

    initial = {name: getattr(current, name) for name in RULE_FIELDS}
    initial["effective_from"] = first_of_next_month(today)
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rules = services.rules_publish(actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Rules published; they apply from %(date)s.")
                % {"date": f"{rules.effective_from:%Y-%m-%d}"},
            )
            return redirect("billing:staff_rules")
    return render(
        request,
        "billing/staff_rules.html",
        {"form": form, "current": current, "history": selectors.rules_history()},
    )


@staff_page
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Bank statements are import jobs: uploaded here, checked and applied on the job's page."""
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                kind="bank_statement",
                actor=request.user,
                file=upload,
                filename=upload.name,
                options={"layout": form.cleaned_data.get("layout") or ""},
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind="bank_statement").select_related("created_by")[:5]
    deposits = list(selectors.deposits_needing_attention())
    for deposit in deposits:
        deposit.remaining = selectors.deposit_remaining(deposit)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/reconciliation.html",
        {"form": form, "jobs": jobs, "deposits": deposits},
    )


@staff_page
@require_POST
def deposit_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    deposit = get_object_or_404(Deposit, pk=pk)
    number = request.POST.get("invoice_number", "").strip()
    invoice = None
    if number:
        invoice = _invoice_by_number(number)
        if invoice is None:
            messages.error(request, _("No invoice %(number)s.") % {"number": number})
            return redirect("billing:reconciliation")
    try:
        payment = services.deposit_confirm(actor=request.user, deposit=deposit, invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Payment of %(amount)s yen recorded on %(number)s.")
            % {"amount": f"{payment.amount:,}", "number": payment.invoice.display_number},
        )
    return redirect("billing:reconciliation")


def _invoice_by_number(text: str) -> Invoice | None:
    digits = text.upper().removeprefix("INV-")
    if not digits.isdigit():
        return None
    return Invoice.objects.filter(kind="invoice", number=int(digits)).first()


@staff_page
@require_POST
def deposit_reject(request: HttpRequest, pk: int) -> HttpResponse:
    services.deposit_proposal_reject(actor=request.user, deposit=get_object_or_404(Deposit, pk=pk))
    messages.success(request, _("Proposal rejected; the deposit stays listed."))
    return redirect("billing:reconciliation")


@staff_page
def export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        start, end, layout = (form.cleaned_data[k] for k in ("start", "end", "layout"))
        response = HttpResponse(
            exports.export_csv(layout, start, end), content_type="text/csv; charset=utf-8"
        )
        filename = f"kizuna-journal-{layout}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return private(response)
    return render(request, "billing/export.html", {"form": form})

"""Sign-up pages: the form, "check your email", the link, and the legal documents."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kizuna.accounts import services
from kizuna.accounts.forms import SignUpForm
from kizuna.accounts.models import LegalDocumentKind, VerificationPurpose
from kizuna.accounts.selectors import current_legal_documents
from kizuna.core import ratelimit
from kizuna.core.forms import call_service


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("site:home")
    form = SignUpForm(
        request.POST or None,
        request=request,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            return redirect("accounts:signup_sent")
        started = call_service(
            form,
            lambda: services.signup_start(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
                kind=form.cleaned_data["kind"],
            ),
        )
        if started is not None:
            return redirect("accounts:signup_sent")
    response = render(
        request,
        "accounts/signup.html",
        {"form": form, "documents": current_legal_documents()},
        status=400 if form.errors else 200,
    )
    if form.throttled is not None:
        return ratelimit.refused(response, form.throttled)
    return response


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


def signup_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST spends the link: mail scanners that open links spend nothing."""
    verification = services.email_verification_find(token=token, purpose=VerificationPurpose.SIGNUP)
    if verification is None:
        return render(request, "accounts/signup_verify.html", {"valid": False}, status=410)
    if request.method == "POST":
        user = services.signup_verify(verification=verification)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your address is confirmed and your account is active."))
        return redirect("site:home")
    return render(
        request, "accounts/signup_verify.html", {"valid": True, "email": verification.email}
    )


def legal_document(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in LegalDocumentKind.values:
        raise Http404
    document = next((d for d in current_legal_documents() if d.kind == kind), None)
    if document is None:
        raise Http404
    return render(request, "accounts/legal_document.html", {"document": document})

"""The staff page of domain-event consumers: where each stands, and what to do when one fails.

It lives here rather than in core because deciding who is staff is the accounts app's.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.accounts.permissions import Action, can
from kizuna.core import consumers


def _require_admin(request: HttpRequest) -> None:
    if not can(request.user, Action.MANAGE_EVENT_CONSUMERS):
        raise PermissionDenied


@login_required
def consumer_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    states = consumers.consumer_states()
    return render(
        request,
        "accounts/staff_consumers.html",
        {"states": states, "failing": [s for s in states if s.failing]},
    )


def _event_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("event_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@login_required
@require_POST
def consumer_retry(request: HttpRequest, name: str) -> HttpResponse:
    _require_admin(request)
    if not _act(request, name, consumers.consumer_retry):
        return redirect("staff_consumers")
    # Run it now so the page shows the outcome; the worker would do the same within 15 s.
    consumers.dispatch(name)
    if name in consumers.failing_consumer_names():
        messages.error(request, _("“%(name)s” failed again; see the error below.") % {"name": name})
    else:
        messages.success(request, _("“%(name)s” handled the event and caught up.") % {"name": name})
    return redirect("staff_consumers")


@login_required
@require_POST
def consumer_skip(request: HttpRequest, name: str) -> HttpResponse:
    _require_admin(request)
    if _act(request, name, consumers.consumer_skip):
        messages.success(
            request,
            _("“%(name)s” skipped event #%(id)s; it goes on with the next one.")
            % {"name": name, "id": request.POST["event_id"]},
        )
    return redirect("staff_consumers")


def _act(request: HttpRequest, name: str, action: Any) -> bool:
    event_id = _event_id(request)
    if name not in {c.name for c in consumers.registered_consumers()} or event_id is None:
        messages.error(request, _("Unknown consumer or event."))
        return False
    try:
        action(actor=request.user, name=name, event_id=event_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True

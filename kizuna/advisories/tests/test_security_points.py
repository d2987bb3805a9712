"""A partner that answers an advisory by its deadline earns security contribution points."""

import datetime as dt

import pytest
from django.utils import timezone

from kizuna.advisories import services
from kizuna.advisories.models import SiteState
from kizuna.core.consumers import dispatch
from kizuna.core.models import OutboxEvent
from kizuna.partners.models import Contribution

pytestmark = pytest.mark.django_db

CONSUMER = "partners.security_points"


def _answer(bob, advisory, site, *, at):
    target = advisory.targets.get(organization=site.organization)
    services.advisory_acknowledge(actor=bob, target=target, now=at)
    services.site_status_set(
        actor=bob, advisory=advisory, site=site, state=SiteState.PATCHED, on=timezone.localdate()
    )


def _security_points(organization):
    return list(
        Contribution.objects.filter(
            partner__organization=organization, kind__code="security_response"
        ).values_list("points", "source", "note")
    )


def test_acknowledging_and_patching_every_site_by_the_deadline_earns_points_once(
    bob, bob_site, shared_advisory
):
    _answer(bob, shared_advisory, bob_site, at=timezone.now())
    dispatch(CONSUMER)
    assert _security_points(bob_site.organization) == [
        (3, "advisories", shared_advisory.identifier)
    ]

    # Reopening and closing the site again is not a second answer.
    for state in (SiteState.IN_PROGRESS, SiteState.MITIGATED):
        services.site_status_set(
            actor=bob, advisory=shared_advisory, site=bob_site, state=state, on=timezone.localdate()
        )
    dispatch(CONSUMER)
    assert len(_security_points(bob_site.organization)) == 1
    assert OutboxEvent.objects.filter(type="advisory.answered").count() == 1


def test_acknowledging_while_a_site_is_still_open_is_not_yet_an_answer(
    bob, bob_site, shared_advisory
):
    target = shared_advisory.targets.get()
    services.advisory_acknowledge(actor=bob, target=target, now=timezone.now())
    dispatch(CONSUMER)
    target.refresh_from_db()
    assert target.answered_at is None
    assert _security_points(bob_site.organization) == []


def test_an_answer_after_the_deadline_earns_nothing(bob, bob_site, shared_advisory, settings):
    days = settings.KIZUNA_ADVISORY_DEADLINE_DAYS[shared_advisory.severity]
    late = shared_advisory.shared_at + dt.timedelta(days=days, minutes=1)
    services.site_status_set(
        actor=bob,
        advisory=shared_advisory,
        site=bob_site,
        state=SiteState.NOT_AFFECTED,
        on=timezone.localdate(),
    )
    services.advisory_acknowledge(actor=bob, target=shared_advisory.targets.get(), now=late)
    dispatch(CONSUMER)
    answered = OutboxEvent.objects.get(type="advisory.answered")
    assert answered.payload["on_time"] is False
    assert _security_points(bob_site.organization) == []

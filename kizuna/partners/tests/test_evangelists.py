from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kizuna.core.models import OutboxEvent
from kizuna.outreach.testing import sent_mail
from kizuna.partners import selectors
from kizuna.partners.models import EvangelistRequestStatus, NominationStatus
from kizuna.partners.services.evangelists import (
    evangelist_appoint,
    evangelist_request_respond,
    evangelist_request_route,
    evangelist_request_submit,
    nomination_accept,
    nomination_decline,
    nomination_submit,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_self_nomination_names_the_nominating_user(dave):
    nomination = nomination_submit(
        actor=dave, statement="毎月勉強会を開いています", self_nomination=True
    )
    assert nomination.nominee == dave
    assert nomination.is_self_nomination


def test_nominating_someone_else_needs_their_name_and_email(carol):
    with pytest.raises(ValidationError):
        nomination_submit(actor=carol, statement="すごい人です")
    nomination = nomination_submit(
        actor=carol,
        statement="すごい人です",
        nominee_name="山田 太郎",
        nominee_email="Taro@Example.jp",
        links=["https://blog.example.jp", " "],
    )
    assert (nomination.nominee, nomination.nominee_email, nomination.links) == (
        None,
        "taro@example.jp",
        ["https://blog.example.jp"],
    )


def test_accepted_nomination_makes_an_evangelist_for_the_term(alice, dave):
    nomination = nomination_submit(actor=dave, statement="登壇多数", self_nomination=True)
    evangelist = nomination_accept(
        actor=alice,
        nomination=nomination,
        term_start=TODAY(),
        term_end=TODAY() + timedelta(days=365),
    )
    assert nomination.status == NominationStatus.ACCEPTED
    assert evangelist.user == dave
    assert list(selectors.active_evangelists()) == [evangelist]
    assert OutboxEvent.objects.filter(type="evangelist.accepted").exists()


def test_evangelist_outside_the_term_is_not_listed(alice):
    evangelist_appoint(
        actor=alice,
        name="過去の人",
        email="past@example.jp",
        term_start=TODAY() - timedelta(days=400),
        term_end=TODAY() - timedelta(days=35),
    )
    assert not selectors.active_evangelists().exists()


def test_decline_needs_a_reason_and_a_decision_is_final(alice, dave):
    nomination = nomination_submit(actor=dave, statement="x", self_nomination=True)
    with pytest.raises(ValidationError):
        nomination_decline(actor=alice, nomination=nomination, reason="")
    nomination_decline(
        actor=alice, nomination=nomination, reason="活動実績をもう少し拝見したいです"
    )
    with pytest.raises(ValidationError):
        nomination_accept(actor=alice, nomination=nomination, term_start=TODAY(), term_end=TODAY())


def test_term_must_end_after_it_starts(alice):
    with pytest.raises(ValidationError):
        evangelist_appoint(
            actor=alice,
            name="n",
            email="n@example.jp",
            term_start=TODAY(),
            term_end=TODAY() - timedelta(days=1),
        )


def test_user_group_request_is_routed_to_an_evangelist_who_accepts(
    alice, carol, dave, django_capture_on_commit_callbacks
):
    evangelist = evangelist_appoint(
        actor=alice,
        name="Dave",
        email="dave@example.com",
        term_start=TODAY(),
        term_end=TODAY() + timedelta(days=30),
    )
    request = evangelist_request_submit(
        actor=carol,
        group_name="大阪EC勉強会",
        event_title="第10回",
        event_date=TODAY() + timedelta(days=20),
        location="大阪",
    )
    with django_capture_on_commit_callbacks(execute=True):
        evangelist_request_route(actor=alice, request=request, evangelist=evangelist)
    assert sent_mail()[0].to == ["dave@example.com"]
    assert list(selectors.evangelist_requests_for(dave)) == [request]
    evangelist_request_respond(actor=dave, request=request, accept=True, note="伺います")
    assert request.status == EvangelistRequestStatus.ACCEPTED
    with pytest.raises(ValidationError):
        evangelist_request_respond(actor=dave, request=request, accept=False)

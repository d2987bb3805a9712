"""Two staff deciding the same achievement or nomination: one decision wins, the other is told."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kizuna.core.tests.race import race, refusals, require_concurrent_writers
from kizuna.partners.models import (
    Achievement,
    AchievementReview,
    AchievementStatus,
    Evangelist,
    EvangelistNomination,
    NominationStatus,
)
from kizuna.partners.services.achievements import (
    achievement_reject,
    achievement_request_info,
    achievement_verify,
)
from kizuna.partners.services.evangelists import (
    nomination_accept,
    nomination_decline,
    nomination_submit,
)

pytestmark = pytest.mark.django_db

TERM: dict[str, Any] = {
    "term_start": timezone.localdate(),
    "term_end": timezone.localdate() + timedelta(days=365),
}


@pytest.fixture
def second_reviewer(make_user):
    return make_user("pm@example.com", staff_role="partner_manager")


def two_copies(model, pk):
    """What two staff members loaded before either decided."""
    return model.objects.get(pk=pk), model.objects.get(pk=pk)


def test_a_second_decision_on_an_achievement_is_refused_with_its_current_status(
    alice, second_reviewer, bob_partner, submit
):
    first, second = two_copies(Achievement, submit(bob_partner).pk)
    achievement_verify(actor=alice, achievement=first)
    with pytest.raises(ValidationError) as refused:
        achievement_reject(actor=second_reviewer, achievement=second, reason="証拠が不十分")
    assert refused.value.code == "wrong_status"
    assert "検証済み" in refused.value.messages[0]
    assert Achievement.objects.get(pk=first.pk).status == AchievementStatus.VERIFIED
    assert AchievementReview.objects.filter(achievement=first).count() == 1


def test_asking_for_information_after_a_rejection_is_refused(
    alice, second_reviewer, bob_partner, submit
):
    first, second = two_copies(Achievement, submit(bob_partner).pk)
    achievement_reject(actor=alice, achievement=first, reason="対象外")
    with pytest.raises(ValidationError):
        achievement_request_info(actor=second_reviewer, achievement=second, reason="詳細を")
    assert Achievement.objects.get(pk=first.pk).status == AchievementStatus.REJECTED


def test_a_second_decision_through_the_api_is_a_409(client, alice, bob_partner, submit):
    from kizuna.partners.tests.test_api import auth

    achievement = submit(bob_partner)
    url = f"/api/v1/partners/achievements/{achievement.pk}/verify"
    headers = auth(alice)
    assert client.post(url, content_type="application/json", data={}, **headers).status_code == 200
    again = client.post(url, content_type="application/json", data={}, **headers)
    assert (again.status_code, again.json()["code"]) == (409, "wrong_status")


def test_a_second_decision_on_the_review_page_is_a_form_error(client, alice, bob_partner, submit):
    achievement = submit(bob_partner)
    client.force_login(alice)
    url = reverse("partners:achievement_review", args=[achievement.pk])
    assert client.post(url, {"decision": "verify"}).status_code == 302
    response = client.post(url, {"decision": "reject", "reason": "やはり不可"})
    assert response.status_code == 400
    assert "この実績は「検証済み」のため、この判定はできません。" in response.content.decode()
    assert AchievementReview.objects.filter(achievement=achievement).count() == 1


def test_a_nomination_decided_by_someone_else_meanwhile_is_refused(alice, second_reviewer, dave):
    nomination = nomination_submit(actor=dave, statement="登壇多数", self_nomination=True)
    first, second = two_copies(EvangelistNomination, nomination.pk)
    nomination_accept(actor=alice, nomination=first, **TERM)
    with pytest.raises(ValidationError) as refused:
        nomination_decline(actor=second_reviewer, nomination=second, reason="実績不足")
    assert refused.value.code == "decided"
    assert EvangelistNomination.objects.get().status == NominationStatus.ACCEPTED
    with pytest.raises(ValidationError):
        nomination_accept(actor=second_reviewer, nomination=second, **TERM)
    assert Evangelist.objects.count() == 1


def test_a_second_nomination_decision_on_the_page_is_a_form_error(client, alice, dave):
    nomination = nomination_submit(actor=dave, statement="登壇多数", self_nomination=True)
    client.force_login(alice)
    url = reverse("partners:nomination_decide", args=[nomination.pk])
    data = {"decision": "accept", **{k: v.isoformat() for k, v in TERM.items()}}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 400
    assert "この推薦はすでに判定済みです。" in response.content.decode()
    assert Evangelist.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_an_achievement_at_once_apply_one_decision(
    alice, second_reviewer, bob_partner, submit
):
    require_concurrent_writers()
    first, second = two_copies(Achievement, submit(bob_partner).pk)
    results = race(
        lambda: achievement_verify(actor=alice, achievement=first),
        lambda: achievement_reject(actor=second_reviewer, achievement=second, reason="不可"),
    )
    assert len(refusals(results)) == 1
    assert refusals(results)[0].code == "wrong_status"
    assert AchievementReview.objects.filter(achievement_id=first.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_a_nomination_at_once_make_one_evangelist(alice, second_reviewer, dave):
    require_concurrent_writers()
    nomination = nomination_submit(actor=dave, statement="登壇多数", self_nomination=True)
    first, second = two_copies(EvangelistNomination, nomination.pk)
    results = race(
        lambda: nomination_accept(actor=alice, nomination=first, **TERM),
        lambda: nomination_accept(actor=second_reviewer, nomination=second, **TERM),
    )
    assert [r.code for r in refusals(results)] == ["decided"]
    assert Evangelist.objects.count() == 1

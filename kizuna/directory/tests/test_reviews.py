import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kizuna.core import consumers
from kizuna.core.models import AuditEntry
from kizuna.directory.models import DirectoryEntry
from kizuna.directory.search import SearchParams, search
from kizuna.directory.services import leads, ranking, reviews
from kizuna.directory.tests.test_leads import project

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_partner(make_partner, bob):
    return make_partner("Bob Web Works", owner=bob)


@pytest.fixture
def engagement(carol, bob, bob_partner):
    """An engagement Carol asked for, Bob accepted and Carol marked done."""
    slot = leads.lead_create(merchant=carol, partners=[bob_partner], **project()).assignments.get()
    leads.lead_accept(actor=bob, assignment=slot)
    return slot


def test_merchant_reviews_a_completed_engagement_once(carol, engagement):
    with pytest.raises(ValidationError):
        reviews.review_publish(actor=carol, assignment=engagement, rating=5, text="最高")
    leads.lead_complete(actor=carol, assignment=engagement)
    review = reviews.review_publish(actor=carol, assignment=engagement, rating=5, text="最高")
    assert review.partner_id == engagement.partner_id
    with pytest.raises(ValidationError) as error:
        reviews.review_publish(actor=carol, assignment=engagement, rating=4, text="再投稿")
    assert error.value.code == "already_reviewed"


def test_nobody_else_can_review_the_engagement(carol, bob, dave, engagement):
    leads.lead_complete(actor=carol, assignment=engagement)
    for other in (bob, dave):
        with pytest.raises(PermissionDenied):
            reviews.review_publish(actor=other, assignment=engagement, rating=5, text="自作自演")


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_must_be_one_to_five(carol, engagement, rating):
    leads.lead_complete(actor=carol, assignment=engagement)
    with pytest.raises(ValidationError):
        reviews.review_publish(actor=carol, assignment=engagement, rating=rating, text="x")


def test_staff_hide_a_review_with_a_reason_that_is_audited(alice, bob, carol, engagement):
    leads.lead_complete(actor=carol, assignment=engagement)
    review = reviews.review_publish(actor=carol, assignment=engagement, rating=1, text="個人攻撃")
    with pytest.raises(PermissionDenied):
        reviews.review_hide(actor=bob, review=review, reason="消したい")
    with pytest.raises(ValidationError):
        reviews.review_hide(actor=alice, review=review, reason=" ")
    reviews.review_hide(actor=alice, review=review, reason="個人を攻撃する内容のため")
    assert review.is_hidden
    assert AuditEntry.objects.filter(action="review.hidden", object_id=str(review.pk)).exists()


def test_hidden_reviews_stop_counting_in_the_rating(alice, carol, engagement, bob_partner):
    leads.lead_complete(actor=carol, assignment=engagement)
    review = reviews.review_publish(actor=carol, assignment=engagement, rating=1, text="不満")
    consumers.dispatch_all()
    assert DirectoryEntry.objects.get(pk=bob_partner.pk).review_count == 1
    reviews.review_hide(actor=alice, review=review, reason="虚偽の内容")
    consumers.dispatch_all()
    assert DirectoryEntry.objects.get(pk=bob_partner.pk).review_count == 0


def test_partner_owner_replies_once(bob, eve, carol, engagement):
    leads.lead_complete(actor=carol, assignment=engagement)
    review = reviews.review_publish(actor=carol, assignment=engagement, rating=4, text="良かった")
    with pytest.raises(PermissionDenied):
        reviews.review_reply(actor=eve, review=review, text="横から")
    reviews.review_reply(actor=bob, review=review, text="ありがとうございました")
    with pytest.raises(ValidationError):
        reviews.review_reply(actor=bob, review=review, text="二回目")
    review.refresh_from_db()
    assert review.reply == "ありがとうございました"


def test_few_reviews_are_shrunk_toward_the_mean(settings):
    settings.KIZUNA_DIRECTORY_REVIEW_PRIOR_COUNT = 5
    settings.KIZUNA_DIRECTORY_REVIEW_PRIOR_MEAN = 3.5
    one_five_star = ranking.shrunk_rating(review_count=1, review_average=5.0)
    many_four_star = ranking.shrunk_rating(review_count=40, review_average=4.6)
    assert one_five_star == pytest.approx(3.75)
    assert many_four_star > one_five_star


def test_reviews_show_in_the_reasons(carol, engagement, bob_partner):
    leads.lead_complete(actor=carol, assignment=engagement)
    reviews.review_publish(actor=carol, assignment=engagement, rating=5, text="丁寧")
    consumers.dispatch_all()
    hit = search(SearchParams(q="Bob")).hits[0]
    assert any("5.0" in reason for reason in hit.reasons)

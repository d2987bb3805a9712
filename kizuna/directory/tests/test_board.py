from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kizuna.accounts import services as account_services
from kizuna.core import consumers
from kizuna.core.events import emit
from kizuna.directory.models import HelpPostStatus
from kizuna.directory.services import board
from kizuna.directory.services.leads import lead_preferences_set
from kizuna.partners.events import partner_ref
from kizuna.partners.models import Badge

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(bob, partners):
    today = timezone.localdate()
    return board.help_post_create(
        actor=bob,
        partner=partners["bob"],
        title="デザインの協力先を探しています",
        description="年末のリニューアル案件",
        badges=[Badge.objects.get(code="site_design")],
        prefecture="13",
        starts_on=today,
        ends_on=today + timedelta(days=60),
        expires_on=today + timedelta(days=14),
    )


def test_matching_partner_answers_and_contacts_show_once_the_poster_agrees(
    client, bob, eve, post, partners
):
    answer = board.help_answer_create(
        actor=eve, post=post, partner=partners["eve"], message="対応できます"
    )
    client.force_login(eve)
    page = client.get(f"/directory/board/{post.pk}/").content.decode()
    assert "bob@example.com" not in page
    client.force_login(bob)
    assert "eve@example.com" not in client.get(f"/directory/board/{post.pk}/").content.decode()
    client.post(f"/directory/board/answers/{answer.pk}/agree/")
    assert "eve@example.com" in client.get(f"/directory/board/{post.pk}/").content.decode()
    client.force_login(eve)
    assert "bob@example.com" in client.get(f"/directory/board/{post.pk}/").content.decode()


def test_partner_without_matching_evidence_cannot_answer(bob, post, make_partner, make_user):
    owner = make_user("seo@example.com")
    account_services.organization_create(actor=None, name="SEO Co", slug="seo-co", owner=owner)
    seo = make_partner("SEO Co", owner=owner, badges={"seo": 2})
    with pytest.raises(ValidationError) as error:
        board.help_answer_create(actor=owner, post=post, partner=seo, message="どうでしょう")
    assert error.value.code == "no_match"


def test_partner_outside_the_prefecture_answers_only_if_it_works_remotely(bob, eve, post, partners):
    profile = partners["eve"]
    profile.head_office_prefecture = "27"
    profile.save()

    emit(
        "partner.updated",
        {**partner_ref(profile), "slug": profile.slug, "fields": ["head_office_prefecture"]},
    )
    consumers.dispatch_all()
    assert not board.matches(post, profile)

    lead_preferences_set(actor=eve, partner=profile, works_remotely=True)
    assert board.matches(post, profile)


def test_closed_or_expired_posts_take_no_answers_and_leave_the_board(
    client, bob, eve, post, partners
):
    board.help_post_close(actor=bob, post=post)
    assert post.status == HelpPostStatus.CLOSED
    with pytest.raises(ValidationError) as error:
        board.help_answer_create(actor=eve, post=post, partner=partners["eve"], message="はい")
    assert error.value.code == "post_closed"
    client.force_login(eve)
    assert "デザインの協力先" not in client.get("/directory/board/").content.decode()
    assert client.get(f"/directory/board/{post.pk}/").status_code == 404


def test_an_expired_post_is_not_open(post):
    post.expires_on = timezone.localdate() - timedelta(days=1)
    post.save()
    assert not board.is_open(post)


def test_only_the_posters_members_close_it_or_agree(eve, frank, post, partners):
    answer = board.help_answer_create(
        actor=eve, post=post, partner=partners["eve"], message="可能です"
    )
    for someone in (eve, frank):
        with pytest.raises(PermissionDenied):
            board.help_post_close(actor=someone, post=post)
        with pytest.raises(PermissionDenied):
            board.help_answer_agree(actor=someone, answer=answer)


def test_a_partner_answers_a_post_once(eve, post, partners):
    board.help_answer_create(actor=eve, post=post, partner=partners["eve"], message="一回目")
    with pytest.raises(ValidationError) as error:
        board.help_answer_create(actor=eve, post=post, partner=partners["eve"], message="二回目")
    assert error.value.code == "already_answered"


def test_expiry_must_be_within_ninety_days(bob, partners):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        board.help_post_create(
            actor=bob, partner=partners["bob"], title="t", description="d", badges=[],
            prefecture="", starts_on=today, ends_on=today, expires_on=today + timedelta(days=91),
        )  # fmt: skip
    assert error.value.error_dict["expires_on"][0].code == "invalid_expiry"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 403), ("bob", 200), ("carol", 403), ("dave", 403), ("eve", 200), ("frank", 200)],
)
def test_who_sees_the_board(client, request, post, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/directory/board/").status_code == status
    assert client.get(f"/directory/board/{post.pk}/").status_code == status


def test_answers_are_private_between_poster_and_answerer(client, eve, frank, post, partners):
    board.help_answer_create(actor=eve, post=post, partner=partners["eve"], message="秘密の回答")
    client.force_login(frank)
    assert "秘密の回答" not in client.get(f"/directory/board/{post.pk}/").content.decode()
    answer = post.answers.get()
    assert client.post(f"/directory/board/answers/{answer.pk}/agree/").status_code == 404
    assert client.post(f"/directory/board/{post.pk}/close/").status_code == 404


def test_partner_posts_through_the_page(client, bob, partners):
    client.force_login(bob)
    today = timezone.localdate()
    response = client.post(
        "/directory/board/new/",
        {
            "title": "SEOの協力先",
            "description": "記事制作",
            "badges": [Badge.objects.get(code="seo").pk],
            "prefecture": "",
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "expires_on": today.isoformat(),
        },
    )
    assert response.status_code == 200  # period ends before it starts: the form again
    assert "invalid_period" not in response.content.decode()
    assert partners["bob"].help_posts.count() == 0

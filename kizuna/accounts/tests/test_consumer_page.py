import re

import pytest
from django.db import transaction
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from kizuna.accounts import services
from kizuna.core import consumers
from kizuna.core.events import emit
from kizuna.core.models import AuditEntry, EventCursor, OutboxEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_event_types")]

PAGE = "/staff/consumers/"


@pytest.fixture
def broken(monkeypatch):
    """A consumer that fails on n == 3, next to the app's real ones; its failing event id."""
    handled: list[int] = []

    def handle(event):
        if event.payload["n"] == 3 and not handled_ok:
            raise ValueError("bad payload for n=3")
        handled.append(event.payload["n"])

    handled_ok: list[bool] = []
    monkeypatch.setitem(
        consumers._consumers,
        "test.broken",
        consumers.Consumer("test.broken", frozenset({"thing.happened"}), handle),
    )
    with transaction.atomic():
        for n in (2, 3, 4):
            emit("thing.happened", {"n": n})
    consumers.dispatch_all()
    failing = EventCursor.objects.get(name="test.broken").failing_event_id
    return {"event_id": failing, "handled": handled, "fix": lambda: handled_ok.append(True)}


def test_the_consumers_page_lists_every_consumer_and_the_failing_event(client, alice, broken):
    client.force_login(alice)
    page = client.get(PAGE).content.decode()
    for registered in consumers.registered_consumers():
        assert registered.name in page
    assert f"#{broken['event_id']}" in page
    assert "ValueError: bad payload for n=3" in page
    assert "今すぐ再試行" in page
    assert "このイベントを飛ばす" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 403), ("carol", 403), ("dave", 403), ("eve", 403)],
)
def test_only_the_ecosystem_admin_may_open_the_consumers_page(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(PAGE).status_code == status


def test_partner_and_community_managers_may_not_open_the_consumers_page(client, make_user):
    for role in ("partner_manager", "community_manager"):
        client.force_login(make_user(f"{role}@example.com", staff_role=role))
        assert client.get(PAGE).status_code == 403


def test_the_consumers_page_asks_visitors_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["bob", "carol", "dave", "eve"])
@pytest.mark.parametrize("action", ["retry", "skip"])
def test_only_the_admin_may_retry_or_skip(client, personas, persona, action, broken):
    client.force_login(personas[persona])
    url = f"/staff/consumers/test.broken/{action}/"
    assert client.post(url, {"event_id": broken["event_id"]}).status_code == 403
    cursor = EventCursor.objects.get(name="test.broken")
    assert (cursor.failing_event_id, cursor.attempts) == (broken["event_id"], 1)
    assert not AuditEntry.objects.filter(action__startswith="consumer.").exists()


def test_retry_now_runs_the_consumer_again_and_says_it_failed_again(client, alice, broken):
    client.force_login(alice)
    response = client.post(
        "/staff/consumers/test.broken/retry/", {"event_id": broken["event_id"]}, follow=True
    )
    assert "もう一度失敗しました" in response.content.decode()
    assert EventCursor.objects.get(name="test.broken").attempts == 2
    assert AuditEntry.objects.get(action="consumer.retried").actor == alice


def test_retry_now_after_a_fix_catches_the_consumer_up(client, alice, broken):
    broken["fix"]()
    client.force_login(alice)
    client.post("/staff/consumers/test.broken/retry/", {"event_id": broken["event_id"]})
    cursor = EventCursor.objects.get(name="test.broken")
    assert cursor.failing_event_id is None
    assert broken["handled"] == [2, 3, 4]


def test_skip_through_the_page_moves_past_that_one_event(client, alice, broken):
    client.force_login(alice)
    response = client.post(
        "/staff/consumers/test.broken/skip/", {"event_id": broken["event_id"]}, follow=True
    )
    assert response.status_code == 200
    cursor = EventCursor.objects.get(name="test.broken")
    assert cursor.last_event_id == broken["event_id"]
    assert cursor.failing_event_id is None
    entry = AuditEntry.objects.get(action="consumer.event_skipped")
    assert entry.actor == alice
    consumers.dispatch_all()
    assert broken["handled"] == [2, 4]


def test_skipping_an_event_already_skipped_is_refused_with_a_message(client, alice, broken):
    client.force_login(alice)
    url = "/staff/consumers/test.broken/skip/"
    client.post(url, {"event_id": broken["event_id"]})
    response = client.post(url, {"event_id": broken["event_id"]}, follow=True)
    assert response.status_code == 200
    assert "もうそのイベントで失敗していません" in response.content.decode()
    assert AuditEntry.objects.filter(action="consumer.event_skipped").count() == 1


def test_a_bad_event_id_or_consumer_name_is_a_message_not_an_error(client, alice, broken):
    client.force_login(alice)
    for url, data in [
        ("/staff/consumers/test.broken/skip/", {"event_id": "x"}),
        ("/staff/consumers/test.broken/skip/", {"event_id": "9" * 40}),
        ("/staff/consumers/no.such/retry/", {"event_id": broken["event_id"]}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "不明なコンシューマーまたはイベントです" in response.content.decode()


# /healthz


def test_healthz_tells_everyone_only_the_status(client, personas):
    for persona in ("bob", "carol", "dave", "eve"):
        client.force_login(personas[persona])
        assert client.get("/healthz").json() == {"status": "degraded"}
    client.logout()
    assert client.get("/healthz").json() == {"status": "degraded"}


def test_healthz_shows_staff_the_failing_consumers(client, alice, broken):
    client.force_login(alice)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["consumers"] == {"failing": ["test.broken"]}
    assert body["worker"]["state"] == "absent"


def test_healthz_is_degraded_by_a_failing_consumer_even_with_a_live_worker(client, broken):
    from django.utils import timezone

    from kizuna.core import worker

    worker.beat("w", started_at=timezone.now())
    assert client.get("/healthz").json() == {"status": "degraded"}
    EventCursor.objects.filter(name="test.broken").update(failing_event_id=None)
    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_details_need_the_second_factor_when_staff_must_have_one(client, alice, settings):
    settings.KIZUNA_STAFF_REQUIRE_TOTP = True
    client.force_login(alice)
    assert "worker" not in client.get("/healthz").json()
    device = services.totp_device_start(user=alice)
    device.confirmed = True
    device.save()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert "worker" in client.get("/healthz").json()


def test_healthz_shows_details_to_a_monitor_with_the_token(client, settings):
    settings.KIZUNA_HEALTHZ_TOKEN = "s3cret-monitor-token"
    assert "worker" not in client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json()
    body = client.get("/healthz", HTTP_AUTHORIZATION="Bearer s3cret-monitor-token").json()
    assert body["database"] in ("sqlite", "postgresql")


def test_without_a_configured_token_no_bearer_header_opens_the_details(client, settings):
    settings.KIZUNA_HEALTHZ_TOKEN = ""
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "degraded"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_skips_a_failing_event_on_the_consumers_page(page, alice, monkeypatch):
    from playwright.sync_api import expect

    from conftest import PASSWORD
    from kizuna.core.tests.browser import open_menu, sign_in

    def handle(event):
        raise ValueError("cannot parse")

    monkeypatch.setitem(
        consumers._consumers,
        "test.broken",
        consumers.Consumer("test.broken", frozenset({"thing.happened"}), handle),
    )
    with transaction.atomic():
        emit("thing.happened", {"n": 1})
    consumers.dispatch_all()
    event = OutboxEvent.objects.get(type="thing.happened")

    sign_in(page, "alice@example.com", PASSWORD)
    page.goto("/home/")
    open_menu(page, "管理")
    page.get_by_role("link", name="イベントコンシューマー").click()
    failure = page.locator("#failing-test\\.broken")
    expect(failure).to_contain_text("ValueError: cannot parse")
    expect(failure).to_contain_text(f"#{event.id}")
    failure.get_by_role("button", name="このイベントを飛ばす").click()
    expect(page.locator(".message-success")).to_contain_text(re.compile(f"#{event.id}"))
    expect(page.locator("#failing-test\\.broken")).to_have_count(0)
    assert EventCursor.objects.get(name="test.broken").last_event_id == event.id

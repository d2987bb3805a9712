"""Every page's words follow the chosen language: on an English page no kana or kanji but
what people typed (here all ASCII), on a Japanese page the catalog's Japanese. Labels that
come from tables rather than templates are checked by name: prefectures, event kinds,
activity types, import rejection reasons."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kizuna.community.models import Activity, ActivityType, Attendance, Event, Group, Member
from kizuna.core import imports
from kizuna.directory.tests.conftest import _catalog_and_index, make_partner  # noqa: F401

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")
# The language menu names each language in itself; the brand mark is the logo (a glyph).
LANGUAGE_MENU = "日本語"
BRAND_MARK = re.compile(r'<span class="brand-mark"[^>]*>[^<]*</span>')


@pytest.fixture
def ecosystem(alice, bob, carol, dave, make_partner):  # noqa: F811
    """ASCII-named data behind every page: Bob's listed partner in Hokkaido, a study
    session in Osaka that Dave attends, Dave's talk, and an import with a rejected line."""
    make_partner(
        "Bob Web Works", owner=bob, badges={"initial_setup": 1}, head_office_prefecture="01"
    )
    member = Member.objects.create(display_name="Dave", user=dave)
    group = Group.objects.create(name="Kizuna Osaka", slug="osaka", prefecture="27")
    now = timezone.now()
    for n, starts_at in enumerate([now - timedelta(days=7), now + timedelta(days=7)]):
        event = Event.objects.create(
            title=f"Study night {n}",
            external_id=f"e{n}",
            group=group,
            kind="study_session",
            prefecture="27",
            starts_at=starts_at,
        )
        Attendance.objects.create(event=event, member=member)
    Activity.objects.create(
        source="kizuna",
        external_id="a1",
        type=ActivityType.objects.get(key="talk"),
        member=member,
        occurred_at=now - timedelta(days=2),
        title="Faster checkouts",
    )
    job = imports.import_job_create(
        kind="partners",
        actor=alice,
        file=SimpleUploadedFile("partners.jsonl", b"\xff\xfe not utf-8\n"),
        filename="partners.jsonl",
    )
    return {"event": event, "job": job}


def _page(client, user, path: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _pages(alice, bob, carol, dave, ecosystem):
    event, job = ecosystem["event"], ecosystem["job"]
    return [
        (None, "/"),
        (None, "/directory/"),
        (None, "/directory/p/bob-web-works/"),
        (None, "/directory/request/?partner=bob-web-works"),
        (bob, "/home/"),
        (bob, "/partners/portal/"),
        (bob, "/directory/inbox/"),
        (bob, "/billing/"),
        (bob, reverse("partners:rank")),
        (dave, "/home/"),
        (dave, "/community/events/"),
        (dave, reverse("community:event_detail", args=[event.pk])),
        (carol, "/home/"),
        (alice, "/home/"),
        (alice, "/partners/staff/reviews/"),
        (alice, "/insights/"),
        (alice, reverse("partners:program_settings")),
        (alice, reverse("imports:job", args=[job.pk])),
    ]


def test_english_pages_show_no_japanese_but_the_language_menu(
    client, alice, bob, carol, dave, ecosystem
):
    found = {}
    for user, path in _pages(alice, bob, carol, dave, ecosystem):
        client.logout()
        page = _page(client, user, path, "en")
        text = re.sub(r"<[^>]*>", " ", BRAND_MARK.sub("", page)).replace(LANGUAGE_MENU, "")
        words = sorted({line.strip() for line in text.splitlines() if JAPANESE.search(line)})
        if words:
            found[f"{user or 'visitor'} {path}"] = words
    assert found == {}


def test_prefectures_read_in_the_page_language(client, dave, ecosystem):
    assert "Hokkaido" in _page(client, None, "/directory/p/bob-web-works/", "en")
    assert "北海道" in _page(client, None, "/directory/p/bob-web-works/", "ja")
    english = _page(client, dave, "/community/events/", "en")
    assert ">Osaka<" in english
    assert "大阪府" not in english
    assert ">大阪府<" in _page(client, dave, "/community/events/", "ja")


def test_event_kinds_read_in_the_page_language(client, dave, ecosystem):
    path = reverse("community:event_detail", args=[ecosystem["event"].pk])
    assert "Study session" in _page(client, dave, path, "en")
    assert "勉強会" in _page(client, dave, path, "ja")


def test_activity_types_read_in_the_page_language(client, dave, ecosystem):
    assert "Talk" in _page(client, dave, "/home/", "en")
    assert "登壇" in _page(client, dave, "/home/", "ja")


def test_an_import_rejection_reads_in_the_readers_language(client, alice, ecosystem):
    path = reverse("imports:job", args=[ecosystem["job"].pk])
    assert "bad_encoding: not UTF-8 (save the file as UTF-8)" in _page(client, alice, path, "en")
    assert "UTF-8 ではありません" in _page(client, alice, path, "ja")


def test_a_report_written_before_reasons_were_messages_shows_its_text():
    assert imports.reason_text("bad_json: old text") == "bad_json: old text"

"""People come in one way (services.people_create): by the activity import, the attendance
import and a page or the API alike, each with its `member.created` event and audit entry."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from kizuna.community import services
from kizuna.community.models import Identity, Member
from kizuna.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def created_ids() -> tuple[list[list[int]], list[list[int]]]:
    events = [
        e.payload["member_ids"]
        for e in OutboxEvent.objects.filter(type="member.created").order_by("id")
    ]
    audits = [
        (a.after or {})["member_ids"]
        for a in AuditEntry.objects.filter(action="member.created").order_by("id")
    ]
    return events, audits


def test_the_activity_import_creates_people_with_their_event_and_audit(alice):
    record = {
        "source": "test",
        "external_id": "x-1",
        "type": "blog_post",
        "occurred_at": "2026-04-01T10:00:00+09:00",
        "member": {"platform": "zenn", "handle": "yui", "name": "結衣"},
    }
    services.activities_ingest(records=[(1, record)], actor=alice)
    yui = Identity.objects.get(platform="zenn", handle="yui").member
    assert yui.display_name == "結衣"
    assert created_ids() == ([[yui.pk]], [[yui.pk]])
    assert AuditEntry.objects.get(action="member.created").actor == alice


def test_the_attendance_import_creates_only_the_people_nobody_knows(alice):
    known = services.member_create(
        actor=alice, display_name="Dave", platform="connpass", handle="dave"
    )
    event, _ = services.event_upsert(
        actor=alice,
        source="connpass",
        external_id="1",
        title="Meetup",
        starts_at=datetime(2026, 4, 1, 10, tzinfo=UTC),
    )
    counts = services.attendances_import(
        actor=alice,
        event=event,
        entries=[
            ("connpass", "dave", "Dave", "attendee", "registered"),
            ("connpass", "yui", "結衣", "attendee", "registered"),
            ("connpass", "yui", "結衣", "attendee", "attended"),
        ],
    )
    assert counts == {"created": 2, "updated": 1, "rejected": 0}
    yui = Member.objects.get(display_name="結衣")
    assert yui.search_text == "結衣 yui"
    assert created_ids() == ([[known.pk], [yui.pk]], [[known.pk], [yui.pk]])


def test_member_create_checks_the_identity_like_identity_add(alice):
    services.member_create(actor=alice, display_name="Dave", platform="GitHub", handle="@Dave")
    assert Identity.objects.get().handle == "dave"
    with pytest.raises(ValidationError):
        services.member_create(actor=alice, display_name="Dave 2", platform="github", handle="dave")
    assert Member.objects.count() == 1

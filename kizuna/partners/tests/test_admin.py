"""Staff edits in the Django admin leave the same audit trail as staff actions on the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kizuna.core.models import AuditEntry
from kizuna.partners.models import Evangelist, EvangelistWork
from kizuna.partners.services.evangelists import evangelist_appoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def evangelist(alice):
    return evangelist_appoint(
        actor=alice,
        name="山田 花子",
        email="hanako@example.jp",
        bio="勉強会を主催",
        term_start=timezone.localdate(),
        term_end=timezone.localdate() + timedelta(days=365),
    )


@pytest.fixture
def staff_client(client, alice):
    client.force_login(alice)
    return client


def change_url(evangelist):
    return reverse("admin:partners_evangelist_change", args=[evangelist.pk])


def evangelist_form(evangelist, works=(), **changes):
    """The change form as the admin posts it: the profile and every work row of the inline."""
    data = {"bio": evangelist.bio, "links": "[]", **changes}
    data.update(
        {
            "works-TOTAL_FORMS": str(len(works)),
            "works-INITIAL_FORMS": str(sum(1 for w in works if w.get("id"))),
            "works-MIN_NUM_FORMS": "0",
            "works-MAX_NUM_FORMS": "1000",
        }
    )
    for n, work in enumerate(works):
        data.update({f"works-{n}-{field}": value for field, value in work.items()})
        data[f"works-{n}-evangelist"] = str(evangelist.pk)
    return data


def test_admin_edit_of_an_evangelist_profile_is_audited_with_before_and_after(
    staff_client, alice, evangelist
):
    response = staff_client.post(
        change_url(evangelist), evangelist_form(evangelist, bio="登壇多数")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="evangelist.updated")
    assert (entry.actor, entry.object_id) == (alice, str(evangelist.pk))
    assert (entry.before, entry.after) == ({"bio": "勉強会を主催"}, {"bio": "登壇多数"})
    evangelist.refresh_from_db()
    assert "登壇" in evangelist.search_text


def test_admin_edit_that_changes_nothing_records_nothing(staff_client, evangelist):
    staff_client.post(change_url(evangelist), evangelist_form(evangelist))
    assert not AuditEntry.objects.filter(action__in=["evangelist.updated", "admin.changed"])


def test_admin_links_must_be_a_list_of_addresses(staff_client, evangelist):
    response = staff_client.post(
        change_url(evangelist), evangelist_form(evangelist, links='{"a": 1}')
    )
    assert response.status_code == 200
    assert Evangelist.objects.get(pk=evangelist.pk).links == []


def test_admin_added_changed_and_deleted_works_are_each_audited(staff_client, alice, evangelist):
    talk = {"kind": "talk", "title": "EC勉強会", "url": "", "published_on": "2026-01-10"}
    staff_client.post(change_url(evangelist), evangelist_form(evangelist, works=[talk]))
    work = EvangelistWork.objects.get()
    added = AuditEntry.objects.get(action="admin.added")
    assert added.object_type == "partners.evangelistwork"
    assert added.after == {"evangelist": evangelist.pk, **talk}

    renamed = {**talk, "id": str(work.pk), "title": "EC勉強会 2026"}
    staff_client.post(change_url(evangelist), evangelist_form(evangelist, works=[renamed]))
    changed = AuditEntry.objects.get(action="admin.changed")
    assert (changed.before, changed.after) == ({"title": "EC勉強会"}, {"title": "EC勉強会 2026"})

    gone = {**renamed, "DELETE": "on"}
    staff_client.post(change_url(evangelist), evangelist_form(evangelist, works=[gone]))
    deleted = AuditEntry.objects.get(action="admin.deleted")
    assert (deleted.actor, deleted.object_id) == (alice, str(work.pk))
    assert deleted.before == {"evangelist": evangelist.pk, **talk, "title": "EC勉強会 2026"}
    assert not EvangelistWork.objects.exists()


def test_deleting_an_evangelist_in_the_admin_is_audited(staff_client, evangelist):
    url = reverse("admin:partners_evangelist_delete", args=[evangelist.pk])
    staff_client.post(url, {"post": "yes"})
    entry = AuditEntry.objects.get(action="admin.deleted")
    assert entry.object_type == "partners.evangelist"
    assert entry.before is not None
    assert (entry.before["name"], entry.before["email"]) == ("山田 花子", "hanako@example.jp")
    assert not Evangelist.objects.exists()


def test_partner_records_are_read_only_in_the_admin(staff_client, bob_org):
    from kizuna.partners.services.profiles import partner_create

    partner = partner_create(actor=None, organization=bob_org, head_office_prefecture="13")
    url = reverse("admin:partners_partnerprofile_change", args=[partner.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"summary": "changed behind the services' back"})
    assert response.status_code == 403

"""A partner's stated focus (注力分野) leans lead recommendations and never the search; a
partner that left the program is no longer listed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kizuna.core import consumers
from kizuna.directory.models import DirectoryEntry
from kizuna.directory.search import SearchParams, search
from kizuna.directory.services import leads
from kizuna.directory.tests.test_leads import project
from kizuna.partners.models import Badge
from kizuna.partners.services.exits import program_exit_request, program_exits_complete
from kizuna.partners.services.profiles import partner_focus_set

pytestmark = pytest.mark.django_db


def focus(partner, *codes):
    partner_focus_set(
        actor=None, partner=partner, badges=list(Badge.objects.filter(code__in=codes))
    )
    consumers.dispatch_all()


@pytest.fixture
def two_partners(make_partner):
    """Equal but for a little more evidence on `stronger`."""
    stronger = make_partner("実績やや多", badges={"plugin_development": 2})
    focused = make_partner("注力あり", badges={"plugin_development": 1})
    return stronger, focused


def offered(lead):
    """The recommended partners, best first (they are offered in ranking order)."""
    return list(lead.assignments.order_by("pk").values_list("partner_id", flat=True))


def ranked_names(**params):
    return [hit.entry.partner.name for hit in search(SearchParams(**params)).hits]


def test_search_ranking_is_unchanged_by_focus(two_partners):
    _stronger, focused = two_partners
    before = ranked_names(services=("plugin_development",))
    before_all = ranked_names()
    focus(focused, "plugin_development")
    assert ranked_names(services=("plugin_development",)) == before == ["実績やや多", "注力あり"]
    assert ranked_names() == before_all


def test_recommendation_prefers_the_partner_focused_on_the_leads_work(carol, two_partners):
    stronger, focused = two_partners
    plugin = Badge.objects.get(code="plugin_development")
    without = leads.lead_create(merchant=carol, services=[plugin], **project())
    assert offered(without) == [stronger.pk, focused.pk]
    focus(focused, "plugin_development")
    lead = leads.lead_create(merchant=carol, services=[plugin], **project())
    assert offered(lead) == [focused.pk, stronger.pk]


def test_a_focus_weight_of_zero_turns_the_preference_off(carol, two_partners, settings):
    settings.KIZUNA_RECOMMENDATION_FOCUS_WEIGHT = 0
    stronger, focused = two_partners
    focus(focused, "plugin_development")
    plugin = Badge.objects.get(code="plugin_development")
    lead = leads.lead_create(merchant=carol, services=[plugin], **project())
    assert offered(lead) == [stronger.pk, focused.pk]


def test_focus_on_other_work_does_not_help(carol, two_partners):
    stronger, focused = two_partners
    focus(focused, "seo")
    plugin = Badge.objects.get(code="plugin_development")
    lead = leads.lead_create(merchant=carol, services=[plugin], **project())
    assert offered(lead) == [stronger.pk, focused.pk]


def test_a_partner_stays_listed_until_its_last_day_then_leaves_the_directory(
    make_partner, bob, settings
):
    settings.KIZUNA_PROGRAM_EXIT_NOTICE_DAYS = 30
    partner = make_partner("Bob Web Works", owner=bob)
    today = timezone.localdate()
    program_exit = program_exit_request(actor=bob, partner=partner, reason="", today=today)
    consumers.dispatch_all()
    assert program_exits_complete() == 0
    assert DirectoryEntry.objects.get(pk=partner.pk).listed
    after = timezone.now() + timedelta(days=(program_exit.leaves_on - today).days + 1)
    assert program_exits_complete(now=after) == 1
    assert program_exits_complete(now=after) == 0
    consumers.dispatch_all()
    assert not DirectoryEntry.objects.get(pk=partner.pk).listed
    assert "Bob Web Works" not in ranked_names()


def test_billing_unsuspension_does_not_relist_a_partner_that_left(make_partner, bob):
    from kizuna.directory.services.index import suspension_set

    partner = make_partner("Bob Web Works", owner=bob)
    program_exit_request(actor=bob, partner=partner, reason="", today=date(2026, 1, 5))
    program_exits_complete(now=timezone.now())
    consumers.dispatch_all()
    suspension_set(organization_id=partner.organization_id, suspended=False)
    assert not DirectoryEntry.objects.get(pk=partner.pk).listed

"""A contest from announcement to results in a browser (ja, Asia/Tokyo), at desktop and
phone widths, as each persona: staff create and announce it, a member enters, staff accept
the entry, the entry period ends, judges score blind, staff publish, everyone reads the
results. Screenshots go to $TMPDIR/shots-contests/."""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from kizuna.community.models import Contest, ContestEntry, EntryStatus
from kizuna.community.tests.contest_helpers import linked_member
from kizuna.core.tests.browser import sign_in

SCREENSHOTS = Path(tempfile.gettempdir()) / "shots-contests"

pytestmark = pytest.mark.browser


def both_widths(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} overflows at {width}px"
    page.set_viewport_size({"width": 1366, "height": 900})


def as_user(page, user):
    page.context.clear_cookies()
    if user is not None:
        sign_in(page, user.email, PASSWORD)


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_contest_from_announcement_to_published_results(page, alice, bob, dave, make_user):
    jun = make_user("jun@example.com", display_name="Jun", kind="community_member")
    linked_member(dave, "Dave")
    now = timezone.now()

    # Staff create and announce the contest.
    as_user(page, alice)
    page.goto("/community/contests/")
    page.locator("#contest-new").click()
    page.get_by_label("タイトル（日本語）").fill("開発者ガイドコンテスト")
    page.get_by_label("テーマ(日本語)").fill("Kizuna の API を使った開発ガイド")
    page.get_by_label("賞品(日本語)").fill("最優秀賞 10万円")
    page.get_by_label("応募開始").fill(local(now - timedelta(days=1)))
    page.get_by_label("応募締切").fill(local(now + timedelta(days=7)))
    page.get_by_label("審査基準").fill(
        "3 | 技術的な正確さ | Technical accuracy\n1 | わかりやすさ | Clarity"
    )
    page.get_by_label("審査員").fill("alice@example.com\njun@example.com")
    both_widths(page, "new-staff")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("コンテストを保存しました。")).to_be_visible()
    page.locator("#contest-publish").click()
    expect(page.get_by_text("コンテストを告知しました。")).to_be_visible()
    contest = Contest.objects.get()
    assert contest.state == "published"
    both_widths(page, "manage-open-empty-staff")

    # A member enters.
    as_user(page, dave)
    page.goto("/community/contests/")
    both_widths(page, "list-member")
    page.get_by_role("link", name="開発者ガイドコンテスト").click()
    both_widths(page, "detail-member")
    page.locator("#contest-enter").click()
    page.get_by_label("作品の種類").select_option("article")
    page.get_by_label("作品のタイトル").fill("Kizuna API 入門")
    page.get_by_label("作品へのリンク").fill("https://zenn.dev/dave/articles/kizuna-api")
    page.get_by_label("作品の概要").fill("API トークンの作り方から webhook の検証まで。")
    both_widths(page, "enter-member")
    page.get_by_role("button", name="応募する").click()
    expect(page.get_by_text("応募を受け付けました。スタッフが確認します。")).to_be_visible()
    expect(page.locator("#my-entries")).to_contain_text("確認待ち")
    both_widths(page, "detail-entered-member")
    entry = ContestEntry.objects.get()

    # Staff accept it; it shows in the public gallery.
    as_user(page, alice)
    page.goto(f"/community/contests/{contest.pk}/manage/")
    both_widths(page, "manage-open-staff")
    page.locator(f"#entry-{entry.pk}").get_by_role("button", name="採用", exact=True).click()
    expect(page.get_by_text("応募を採用しました。")).to_be_visible()
    as_user(page, None)
    page.goto(f"/community/contests/{contest.pk}/gallery/")
    expect(page.locator("#gallery")).to_contain_text("Kizuna API 入門")
    both_widths(page, "gallery-anonymous")
    page.goto(f"/community/contests/{contest.pk}/")
    both_widths(page, "detail-anonymous")

    # The entry period ends; staff start judging.
    Contest.objects.filter(pk=contest.pk).update(entries_close_at=timezone.now())
    as_user(page, alice)
    page.goto(f"/community/contests/{contest.pk}/manage/")
    page.locator("#contest-start-judging").click()
    expect(page.get_by_text("審査を開始しました。")).to_be_visible()
    expect(page.locator("#scoring-progress")).to_contain_text("4 件中 0 件")

    # Judges score blind.
    criteria = list(contest.criteria.all())
    for judge, values in ((jun, [8, 6]), (alice, [9, 9])):
        as_user(page, judge)
        page.goto(f"/community/contests/{contest.pk}/judge/")
        expect(page.locator(".other-scores")).to_have_count(0)
        for criterion, value in zip(criteria, values, strict=True):
            page.locator(f"input[name='e{entry.pk}-c{criterion.pk}']").fill(str(value))
        both_widths(page, f"judge-before-{judge.display_name.lower()}")
        page.get_by_role("button", name="採点を保存").click()
        expect(page.get_by_text("採点を保存しました。")).to_be_visible()
    # Every score is in: the last judge now sees the other's.
    expect(page.locator(".other-scores")).to_contain_text("Jun")
    both_widths(page, "judge-all-in-alice")

    # Staff publish; everyone reads the results.
    page.goto(f"/community/contests/{contest.pk}/manage/")
    page.locator("#contest-publish-results").click()
    expect(page.get_by_text("結果を発表しました。")).to_be_visible()
    both_widths(page, "manage-finished-staff")
    entry.refresh_from_db()
    # (3 x mean(8, 9) + 1 x mean(6, 9)) / 4
    assert (entry.status, entry.rank, str(entry.total)) == (EntryStatus.ACCEPTED, 1, "8.25")
    for persona, user in (("anonymous", None), ("member", dave), ("partner", bob)):
        as_user(page, user)
        page.goto(f"/community/contests/{contest.pk}/results/")
        expect(page.locator(f"#result-{entry.pk} .rank")).to_have_text("1")
        both_widths(page, f"results-{persona}")
    page.goto("/community/contests/")
    both_widths(page, "list-partner")

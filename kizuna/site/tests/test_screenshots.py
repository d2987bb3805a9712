"""The screenshot suite: the 12 most used pages (docs/development.md lists them), as the
person who uses each, on a desktop (1366 px) and a phone (390 px), on the demo ecosystem.

Each page is written to var/screenshots/<name>-<width>.png for a person to look at, and
checked for what can fail without a person looking: a page wider than the phone, a date,
status or short header broken across lines in a table, a message of the catalogs shown
untranslated on the Japanese page, an error in the console.
"""

import glob
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from kizuna.accounts.models import User
from kizuna.core.seeding import DEMO_PASSWORD
from kizuna.core.tests.browser import sign_in
from kizuna.partners.models import PartnerProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1366, 390)

# (name, who signs in (None: a visitor), path). The partner page's slug is filled in after
# seeding.
PAGES = [
    ("directory", None, "/directory/"),
    ("partner-page", None, "/directory/p/{slug}/"),
    ("lead-request", None, "/directory/request/?partner={slug}"),
    ("partner-home", "bob@example.com", "/"),
    ("partner-portal", "bob@example.com", "/partners/portal/"),
    ("lead-inbox", "bob@example.com", "/directory/inbox/"),
    ("billing", "bob@example.com", "/billing/"),
    ("member-home", "dave@example.com", "/"),
    ("events", "dave@example.com", "/community/events/"),
    ("staff-home", "alice@example.com", "/"),
    ("review-queue", "alice@example.com", "/partners/staff/reviews/"),
    ("insights", "alice@example.com", "/insights/"),
]

# Words that read the same in both languages (product names, codes, units).
SAME_IN_BOTH = re.compile(r"^[\W\d_]*$|^(CSV|URL|API|PDF|XLSX|Excel \(XLSX\)|Slack|LINE|WeCom)$")


def english_messages() -> set[str]:
    """Every message of the ja catalogs that has a Japanese translation of its own and is
    long enough (two words or more) not to occur by chance in Japanese text."""
    messages = set()
    for path in glob.glob(str(Path(settings.BASE_DIR) / "kizuna/*/locale/ja/LC_MESSAGES/*.po")):
        for entry in polib.pofile(path):
            text = entry.msgid
            if (
                entry.msgstr
                and entry.msgstr != text
                and "%" not in text
                and "{" not in text
                and len(text.split()) >= 2
                and not SAME_IN_BOTH.match(text)
            ):
                messages.add(text)
    return messages


def seed_demo() -> str:
    """Seed the demo ecosystem (once per module: each module's test starts on an empty
    database) and return the slug of bob's partner page."""
    call_command("seed_demo", "--seed", "3", verbosity=0)
    bob = User.objects.get(email="bob@example.com")
    return PartnerProfile.objects.get(organization__memberships__user=bob).organization.slug


# Table cells whose text is a date, a time or one short word (a status, a short header) and
# that the browser has laid out on more than one line: Japanese breaks between any two
# characters and dates at their hyphens, so such a cell needs `white-space: nowrap`.
BROKEN_SHORT_CELLS = """() => {
  const short = text => /^[\\d/:\\- ]{8,16}$/.test(text) || (text.length <= 8 && !/\\s/.test(text));
  const broken = [];
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    const text = cell.innerText.trim();
    if (!text || !short(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    const firstLineBottom = Math.min(...rects.map(r => r.bottom));
    if (rects.some(r => r.top >= firstLineBottom - 1)) broken.push(text);
  }
  return broken;
}"""


def open_page(
    browser: Any, live_server: Any, width: int, email: str | None, path: str
) -> tuple[Any, Any, list[str]]:
    """A new page at the given width, signed in as `email` (None: a visitor), on `path`:
    the page, the response, and the list the console's errors are collected in."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    if email:
        sign_in(page, email, DEMO_PASSWORD)
        page.wait_for_load_state()
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    return page, response, errors


def test_the_most_used_pages_fit_a_phone_speak_japanese_and_log_no_error(browser, live_server):
    slug = seed_demo()
    untranslatable = english_messages()
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for width in WIDTHS:
        for name, email, path in PAGES:
            page, response, errors = open_page(
                browser, live_server, width, email, path.format(slug=slug)
            )
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            where = f"{name} at {width} px"
            if response is None or response.status != 200:
                problems.append(f"{where}: status {response and response.status}")
            if width < 1000 and page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            ):
                problems.append(f"{where}: wider than the screen")
            broken = page.evaluate(BROKEN_SHORT_CELLS)
            if broken:
                problems.append(f"{where}: table cells broken across lines {broken[:5]}")
            text = page.locator("body").inner_text()
            shown = sorted(m for m in untranslatable if m in text)
            if shown:
                problems.append(f"{where}: untranslated {shown[:5]}")
            if errors:
                problems.append(f"{where}: console {errors[:3]}")
            page.context.close()
    assert problems == []

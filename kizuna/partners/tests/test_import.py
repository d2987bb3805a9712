import json
from typing import Any

import pytest
from django.core.management import call_command

from kizuna.core.models import AuditEntry
from kizuna.partners.models import (
    Achievement,
    AchievementStatus,
    BadgeAward,
    Contribution,
    PartnerProfile,
    Rank,
)

pytestmark = pytest.mark.django_db

GOOD: dict[str, Any] = {
    "external_id": "old-001",
    "name": "株式会社みなとウェブ",
    "name_kana": "ミナトウェブ",
    "summary": "横浜のEC制作会社",
    "description": "構築から運用まで",
    "website": "https://minato.example.jp",
    "prefecture": "14",
    "service_prefectures": ["13", "14"],
    "languages": ["ja"],
    "team_size": 8,
    "budget_min": 500000,
    "budget_max": 3000000,
    "accepting_new_clients": True,
    "achievements": [
        {
            "external_id": "old-a-1",
            "title": "食品EC構築",
            "description": "非公開",
            "work_badges": ["initial_setup"],
            "site_badges": ["subscription"],
            "industry": "食品",
            "completed_on": "2026-03-01",
            "verified": True,
        },
        {
            "external_id": "old-a-2",
            "title": "改修",
            "description": "",
            "work_badges": ["seo"],
            "site_badges": [],
            "industry": "",
            "completed_on": "2026-05-01",
            "verified": False,
        },
    ],
    "contribution_points": [
        {"kind": "talk", "points": 12, "occurred_on": "2026-09-01", "note": "EC Meetup登壇"}
    ],
}


def run_import(tmp_path, lines, capsys):
    path = tmp_path / "partners.jsonl"
    path.write_text(
        "\n".join(
            line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            for line in lines
        ),
        encoding="utf-8",
    )
    call_command("import_partners", str(path))
    return capsys.readouterr().out


def test_import_creates_partner_with_achievements_points_and_badges(tmp_path, capsys):
    out = run_import(tmp_path, [GOOD], capsys)
    assert "line 1: new old-001" in out
    partner = PartnerProfile.objects.get(external_id="old-001")
    assert partner.organization.name == "株式会社みなとウェブ"
    assert partner.head_office_prefecture == "14"
    statuses = dict(partner.achievements.values_list("external_id", "status"))
    assert statuses == {
        "old-a-1": AchievementStatus.VERIFIED,
        "old-a-2": AchievementStatus.SUBMITTED,
    }
    assert sorted(
        BadgeAward.objects.filter(partner=partner).values_list("badge__code", flat=True)
    ) == ["initial_setup", "subscription"]
    assert partner.contributions.get().points == 12
    assert AuditEntry.objects.filter(action="achievement.imported_as_verified").count() == 1


def test_importing_the_same_file_twice_changes_nothing_new(tmp_path, capsys):
    run_import(tmp_path, [GOOD], capsys)
    out = run_import(tmp_path, [GOOD], capsys)
    assert "line 1: updated old-001" in out
    assert PartnerProfile.objects.count() == 1
    assert Achievement.objects.count() == 2
    assert Contribution.objects.count() == 1
    assert AuditEntry.objects.filter(action="achievement.imported_as_verified").count() == 1


def test_import_updates_changed_fields(tmp_path, capsys):
    run_import(tmp_path, [GOOD], capsys)
    run_import(tmp_path, [{**GOOD, "name": "株式会社みなとデジタル", "team_size": 10}], capsys)
    partner = PartnerProfile.objects.get(external_id="old-001")
    assert (partner.organization.name, partner.team_size) == ("株式会社みなとデジタル", 10)


def test_bad_lines_are_reported_and_skipped_while_good_lines_are_imported(tmp_path, capsys):
    lines = [
        "{not json",
        {**GOOD, "external_id": "old-002", "prefecture": "99"},
        {
            **GOOD,
            "external_id": "old-003",
            "achievements": [
                {**GOOD["achievements"][0], "external_id": "x", "work_badges": ["juggling"]}
            ],
        },
        {
            **GOOD,
            "external_id": "old-004",
            "contribution_points": [{"kind": "karaoke", "points": 1, "occurred_on": "2026-01-01"}],
        },
        {**GOOD, "external_id": "old-005", "budget_min": 9, "budget_max": 1},
        {"name": "no id"},
        GOOD,
    ]
    out = run_import(tmp_path, lines, capsys)
    assert "line 1: rejected （2 文字目が JSON として読めません" in out
    assert "line 2: rejected old-002 (" in out
    assert "prefecture" in out
    assert "line 3: rejected old-003 (不明なバッジコード: juggling)" in out
    assert "line 4: rejected old-004" in out
    assert "karaoke" in out
    assert "line 5: rejected old-005 (" in out
    assert "budget_min が budget_max を上回っています" in out
    assert "line 6: rejected" in out
    assert "external_id" in out
    assert "line 7: new old-001" in out
    assert "1 new, 0 updated, 0 unchanged, 6 rejected" in out
    assert "" not in out.splitlines()  # no blank lines between the report's lines
    assert list(PartnerProfile.objects.values_list("external_id", flat=True)) == ["old-001"]
    assert not Achievement.objects.filter(external_id="x").exists()


def test_imported_points_can_promote_the_partner(tmp_path, capsys):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    run_import(
        tmp_path,
        [{**GOOD, "contribution_points": [{"kind": "talk", "points": 60, "occurred_on": today}]}],
        capsys,
    )
    assert PartnerProfile.objects.get().rank == Rank.GOLD

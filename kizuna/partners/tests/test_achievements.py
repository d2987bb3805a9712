from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kizuna.core.models import AuditEntry, OutboxEvent
from kizuna.partners.models import AchievementStatus, Badge, ReviewDecision
from kizuna.partners.services.achievements import (
    achievement_add_evidence,
    achievement_publish_summary,
    achievement_reject,
    achievement_request_info,
    achievement_resubmit,
    achievement_submit,
    achievement_verify,
)
from kizuna.partners.services.program import badge_create, badge_delete, badge_rename, badge_retire

pytestmark = pytest.mark.django_db


def test_submitted_achievement_waits_for_review_and_emits_an_event(bob, bob_partner, submit):
    achievement = submit(bob_partner, actor=bob)
    assert achievement.status == AchievementStatus.SUBMITTED
    assert achievement.evidence.count() == 1
    assert OutboxEvent.objects.filter(
        type="achievement.submitted", payload__achievement_id=achievement.pk
    ).exists()


def test_achievement_without_evidence_is_refused(bob, bob_partner, badge):
    with pytest.raises(ValidationError) as error:
        achievement_submit(
            actor=bob,
            partner=bob_partner,
            title="t",
            description="d",
            badges=[badge],
            completed_on=timezone.localdate(),
        )
    assert error.value.code == "no_evidence"
    assert not bob_partner.achievements.exists()


def test_achievement_claiming_a_retired_badge_is_refused(alice, bob, bob_partner, submit, badge):
    badge_retire(actor=alice, badge=badge)
    with pytest.raises(ValidationError, match="廃止"):
        submit(bob_partner, actor=bob)


def test_achievement_completed_in_the_future_is_refused(bob, bob_partner, submit):
    with pytest.raises(ValidationError):
        submit(bob_partner, actor=bob, completed_on=timezone.localdate() + timedelta(days=1))


def test_staff_verification_is_audited_and_recorded_for_the_partner(
    alice, bob, bob_partner, submit
):
    achievement = achievement_verify(
        actor=alice, achievement=submit(bob_partner, actor=bob), note="確認しました"
    )
    assert achievement.status == AchievementStatus.VERIFIED
    assert achievement.verified_at is not None
    assert list(achievement.reviews.values_list("decision", "reason")) == [
        (ReviewDecision.VERIFIED, "確認しました")
    ]
    assert AuditEntry.objects.filter(action="achievement.verified", actor=alice).exists()
    assert OutboxEvent.objects.filter(type="achievement.verified").exists()


def test_rejection_needs_a_reason_the_partner_can_read(alice, bob_partner, submit):
    achievement = submit(bob_partner)
    with pytest.raises(ValidationError):
        achievement_reject(actor=alice, achievement=achievement, reason="  ")
    achievement_reject(actor=alice, achievement=achievement, reason="証跡が不足しています")
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.REJECTED
    assert achievement.reviews.get().reason == "証跡が不足しています"
    assert OutboxEvent.objects.filter(type="achievement.rejected").exists()


def test_partner_answers_a_request_for_information_and_the_achievement_returns_to_the_queue(
    alice, bob, bob_partner, submit
):
    achievement = submit(bob_partner, actor=bob)
    achievement_request_info(
        actor=alice, achievement=achievement, reason="検収書を追加してください"
    )
    assert achievement.status == AchievementStatus.NEEDS_INFO
    achievement_add_evidence(actor=bob, achievement=achievement, url="https://example.com/kenshu")
    achievement_resubmit(actor=bob, achievement=achievement, note="追加しました")
    assert achievement.status == AchievementStatus.SUBMITTED
    assert list(achievement.reviews.values_list("decision", flat=True)) == [
        ReviewDecision.INFO_REQUESTED,
        ReviewDecision.RESUBMITTED,
    ]


def test_a_decided_achievement_cannot_be_decided_again(alice, bob_partner, verified):
    achievement = verified(bob_partner)
    with pytest.raises(ValidationError) as error:
        achievement_reject(actor=alice, achievement=achievement, reason="やはり不可")
    assert error.value.code == "wrong_status"


def test_public_summary_is_sanitized_and_only_for_verified_work(bob, bob_partner, submit, verified):
    with pytest.raises(ValidationError):
        achievement_publish_summary(
            actor=bob, achievement=submit(bob_partner), public_summary="x", publish=True
        )
    achievement = verified(bob_partner)
    achievement_publish_summary(
        actor=bob,
        achievement=achievement,
        publish=True,
        public_summary="<b>食品EC</b>を構築 https://secret.example.com 担当 ceo@client.jp",
    )
    assert achievement.public_summary == "食品ECを構築 担当"
    assert achievement.summary_published


def test_badge_that_was_awarded_can_be_retired_but_never_deleted(
    alice, bob_partner, verified, badge
):
    verified(bob_partner)
    with pytest.raises(ValidationError):
        badge_delete(actor=alice, badge=badge)
    badge_retire(actor=alice, badge=badge)
    assert Badge.objects.get(pk=badge.pk).is_retired
    assert bob_partner.badge_awards.get().badge == badge


def test_unused_badge_can_be_added_renamed_and_deleted(alice):
    badge = badge_create(
        actor=alice, code="headless", family="work", name_ja="ヘッドレス", name_en="Headless"
    )
    badge_rename(
        actor=alice, badge=badge, name_ja="ヘッドレスコマース", name_en="Headless commerce"
    )
    assert Badge.objects.get(code="headless").name_ja == "ヘッドレスコマース"
    badge_delete(actor=alice, badge=badge)
    assert not Badge.objects.filter(code="headless").exists()
    assert (
        AuditEntry.objects.filter(
            action__in=["badge.created", "badge.renamed", "badge.deleted"]
        ).count()
        == 3
    )


def test_catalog_migration_seeds_both_families_with_stable_codes_and_names():
    assert Badge.objects.filter(family="work").count() == 19
    assert Badge.objects.filter(family="site_type").count() == 11
    assert (
        Badge.objects.get(code="build_consulting").name_ja
        == "構築コンサルティング(RFP作成支援・構築ベンダー選定など)"
    )
    assert Badge.objects.get(code="non_ec_content").name_ja == "EC以外のコンテンツサイト"

"""Contests: staff announce one, members enter, staff moderate, judges score, staff publish.

States: draft -> published (announced; entries accepted inside the entry period) ->
judging -> finished (results published). Each move is a conditional UPDATE
(core.transitions), so two staff pressing the same button apply it once.

Accepted entries become activities (type `contest_entry`, output) of their members when
judging starts: from then on an entry can no longer be withdrawn or rejected, so an
activity, once created, never has to be taken back (the KPI rollups and partners'
contribution points only ever add it). The activity goes through the same seam as every
ingested activity: an `activity.ingested` event naming the partner organizations its
member was affiliated with that day, which the insights and partners consumers act on.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Membership, OrganizationKind
from kizuna.community.contest_ranking import Score, entry_totals, rank
from kizuna.community.contest_selectors import scoring_progress
from kizuna.community.models import (
    LIVE_ENTRY_STATUSES,
    SCORE_MAX,
    Activity,
    Affiliation,
    Contest,
    ContestConflict,
    ContestCriterion,
    ContestEligibility,
    ContestEntry,
    ContestJudge,
    ContestScore,
    ContestState,
    EntryStatus,
    Member,
)
from kizuna.core import audit
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.events import emit
from kizuna.core.transitions import transition

CONTEST_ACTIVITY_TYPE = "contest_entry"
CONTEST_ACTIVITY_SOURCE = "kizuna-contest"

CONTEST_FIELDS = (
    "title_ja",
    "title_en",
    "theme_ja",
    "theme_en",
    "rules_ja",
    "rules_en",
    "prizes_ja",
    "prizes_en",
    "entries_open_at",
    "entries_close_at",
    "eligibility",
)


@dataclass(frozen=True)
class CriterionSpec:
    name_ja: str
    name_en: str
    weight: int


# Announcing, editing


def _check_contest(values: dict[str, Any], criteria: list[CriterionSpec], judges: list) -> None:
    if values["entries_close_at"] <= values["entries_open_at"]:
        raise ServiceError(_("Entries must close after they open."), code="period_reversed")
    if not criteria:
        raise ServiceError(_("Give at least one judging criterion."), code="no_criteria")
    if any(criterion.weight < 1 for criterion in criteria):
        raise ServiceError(_("Every criterion needs a weight of 1 or more."), code="bad_weight")
    if not judges:
        raise ServiceError(_("Name at least one judge."), code="no_judges")


def _set_criteria_and_judges(contest: Contest, criteria: list[CriterionSpec], judges: list) -> None:
    contest.criteria.all().delete()
    ContestCriterion.objects.bulk_create(
        ContestCriterion(
            contest=contest,
            name_ja=criterion.name_ja,
            name_en=criterion.name_en,
            weight=criterion.weight,
            position=position,
        )
        for position, criterion in enumerate(criteria)
    )
    contest.judges.exclude(user__in=judges).delete()
    kept = set(contest.judges.values_list("user_id", flat=True))
    ContestJudge.objects.bulk_create(
        ContestJudge(contest=contest, user=user) for user in judges if user.pk not in kept
    )


def contest_create(
    *, actor: Any, criteria: list[CriterionSpec], judges: list, **values: Any
) -> Contest:
    """A draft contest; `values` are the CONTEST_FIELDS."""
    _check_contest(values, criteria, judges)
    with transaction.atomic():
        contest = Contest.objects.create(created_by=actor, **values)
        _set_criteria_and_judges(contest, criteria, judges)
        audit.record(
            actor=actor,
            action="contest.created",
            obj=contest,
            after=audit.snapshot(contest, CONTEST_FIELDS),
        )
    return contest


def contest_update(
    *, actor: Any, contest: Contest, criteria: list[CriterionSpec], judges: list, **values: Any
) -> Contest:
    """Change a contest before judging starts (criteria and judges are fixed from then on)."""
    _check_contest(values, criteria, judges)
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.state not in (ContestState.DRAFT, ContestState.PUBLISHED):
            raise Conflict(
                _("Judging has started: the contest can no longer be changed."),
                code="contest_locked",
            )
        before = audit.snapshot(locked, CONTEST_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        _set_criteria_and_judges(locked, criteria, judges)
        audit.record(
            actor=actor,
            action="contest.updated",
            obj=locked,
            before=before,
            after=audit.snapshot(locked, CONTEST_FIELDS),
        )
    return locked


def contest_publish(*, actor: Any, contest: Contest) -> None:
    now = timezone.now()
    with transaction.atomic():
        transition(
            Contest,
            contest.pk,
            field="state",
            from_states=ContestState.DRAFT,
            to_state=ContestState.PUBLISHED,
            published_at=now,
        )
        audit.record(actor=actor, action="contest.published", obj=contest)
        emit(
            "contest.published",
            {
                "contest_id": contest.pk,
                "entries_open_at": contest.entries_open_at,
                "entries_close_at": contest.entries_close_at,
            },
            actor=actor,
        )


# Entering


def _organizations_on(member_id: int, day: date, *, partners_only: bool = False) -> list[int]:
    affiliations = Affiliation.objects.filter(member_id=member_id, start_date__lte=day).exclude(
        end_date__lt=day
    )
    if partners_only:
        affiliations = affiliations.filter(organization__kind=OrganizationKind.PARTNER)
    return sorted(set(affiliations.values_list("organization_id", flat=True)))


def _check_eligible(contest: Contest, member: Member, today: date) -> None:
    if contest.eligibility == ContestEligibility.EVERYONE:
        return
    with_partner = bool(_organizations_on(member.pk, today, partners_only=True))
    if contest.eligibility == ContestEligibility.INDIVIDUALS and with_partner:
        raise ServiceError(
            _("This contest is for members not affiliated with a partner."), code="not_eligible"
        )
    if contest.eligibility == ContestEligibility.PARTNER_PEOPLE and not with_partner:
        raise ServiceError(
            _("This contest is for members affiliated with a partner."), code="not_eligible"
        )


def entry_submit(
    *,
    actor: Any,
    contest: Contest,
    member: Member,
    kind: str,
    title: str,
    url: str,
    summary: str,
    now: datetime | None = None,
) -> ContestEntry:
    now = now or timezone.now()
    today = timezone.localdate(now)
    if member.erased_at is not None or member.merged_into_id is not None:
        raise ServiceError(_("This member was merged or erased."), code="member_gone")
    with transaction.atomic():
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.state != ContestState.PUBLISHED or not (
            contest.entries_open_at <= now < contest.entries_close_at
        ):
            raise Conflict(_("This contest is not taking entries now."), code="entries_closed")
        if member.user_id and contest.judges.filter(user_id=member.user_id).exists():
            raise ServiceError(_("A judge cannot enter their own contest."), code="judge_entering")
        _check_eligible(contest, member, today)
        if contest.entries.filter(member=member, status__in=LIVE_ENTRY_STATUSES).exists():
            raise Conflict(
                _("You already have an entry in this contest; withdraw it to enter another."),
                code="already_entered",
            )
        entry = ContestEntry.objects.create(
            contest=contest,
            member=member,
            kind=kind,
            title=title,
            url=url,
            summary=summary,
            organization_ids=_organizations_on(member.pk, today),
            submitted_at=now,
        )
        emit(
            "contest.entry_submitted",
            {"contest_id": contest.pk, "entry_id": entry.pk, "member_id": member.pk},
            actor=actor,
        )
    return entry


def _before_judging(contest_id: int) -> Any:
    return ContestEntry.objects.filter(contest_id=contest_id, contest__state=ContestState.PUBLISHED)


def entry_withdraw(*, actor: Any, entry: ContestEntry) -> None:
    with transaction.atomic():
        transition(
            _before_judging(entry.contest_id),
            entry.pk,
            from_states=LIVE_ENTRY_STATUSES,
            to_state=EntryStatus.WITHDRAWN,
            refused=Conflict(
                _("This entry can no longer be withdrawn: judging has started."),
                code="not_withdrawable",
            ),
        )


def entry_accept(*, actor: Any, entry: ContestEntry) -> None:
    with transaction.atomic():
        transition(
            _before_judging(entry.contest_id),
            entry.pk,
            from_states=[EntryStatus.SUBMITTED, EntryStatus.REJECTED],
            to_state=EntryStatus.ACCEPTED,
            decided_at=timezone.now(),
            decided_by=actor,
            reason="",
        )
        audit.record(actor=actor, action="contest.entry_accepted", obj=entry)
        emit(
            "contest.entry_accepted",
            {"contest_id": entry.contest_id, "entry_id": entry.pk, "member_id": entry.member_id},
            actor=actor,
        )


def entry_reject(*, actor: Any, entry: ContestEntry, reason: str) -> None:
    if not reason.strip():
        raise ServiceError(_("Say why the entry is rejected."), code="reason_required")
    with transaction.atomic():
        transition(
            _before_judging(entry.contest_id),
            entry.pk,
            from_states=[EntryStatus.SUBMITTED, EntryStatus.ACCEPTED],
            to_state=EntryStatus.REJECTED,
            decided_at=timezone.now(),
            decided_by=actor,
            reason=reason.strip(),
        )
        audit.record(
            actor=actor, action="contest.entry_rejected", obj=entry, after={"reason": reason}
        )


# Judging


def judge_organizations(judge: ContestJudge, day: date) -> set[int]:
    """Where a judge belongs: affiliations on that day, and their accounts' organizations."""
    organizations = set(
        Membership.objects.filter(user_id=judge.user_id).values_list("organization_id", flat=True)
    )
    member = Member.objects.current().filter(user_id=judge.user_id).first()
    if member is not None:
        organizations.update(_organizations_on(member.pk, day))
    return organizations


def _record_conflicts(contest: Contest, entries: list[ContestEntry]) -> None:
    conflicts = []
    for judge in contest.judges.all():
        for entry in entries:
            shared = judge_organizations(judge, timezone.localdate(entry.submitted_at)) & set(
                entry.organization_ids
            )
            if shared:
                conflicts.append(
                    ContestConflict(entry=entry, judge=judge, organization_id=min(shared))
                )
    ContestConflict.objects.bulk_create(conflicts, ignore_conflicts=True)


def contest_entry_activities_record(*, actor: Any, contest: Contest) -> int:
    """Each accepted entry as an output activity of its member, once (see the module doc).

    Idempotent: an entry whose activity exists is skipped. Returns how many were created.
    """
    with transaction.atomic():
        entries = list(contest.entries.filter(status=EntryStatus.ACCEPTED))
        existing = set(
            Activity.objects.filter(
                source=CONTEST_ACTIVITY_SOURCE,
                external_id__in=[entry.activity_external_id for entry in entries],
            ).values_list("external_id", flat=True)
        )
        new = [entry for entry in entries if entry.activity_external_id not in existing]
        if not new:
            return 0
        Activity.objects.bulk_create(_activity_of(entry) for entry in new)
        times = [entry.submitted_at for entry in new]
        emit(
            "activity.ingested",
            {
                "count": len(new),
                "sources": [CONTEST_ACTIVITY_SOURCE],
                "occurred_from": min(times),
                "occurred_until": max(times),
                "organization_ids": _partner_organizations(new),
            },
            actor=actor,
        )
        return len(new)


def _activity_of(entry: ContestEntry) -> Activity:
    return Activity(
        source=CONTEST_ACTIVITY_SOURCE,
        external_id=entry.activity_external_id,
        type_id=CONTEST_ACTIVITY_TYPE,
        member_id=entry.member_id,
        occurred_at=entry.submitted_at,
        url=entry.url,
        title=entry.title,
        is_output=True,
    )


def _partner_organizations(entries: list[ContestEntry]) -> list[int]:
    """The partners whose people these are on the day of entry: the activities' seam to
    partners' contribution points (like ingest's `_partner_organizations`)."""
    organizations: set[int] = set()
    for entry in entries:
        day = timezone.localdate(entry.submitted_at)
        organizations.update(_organizations_on(entry.member_id, day, partners_only=True))
    return sorted(organizations)


def contest_judging_start(*, actor: Any, contest: Contest, now: datetime | None = None) -> None:
    """Close entries for good: conflicts are decided and accepted entries become activities."""
    now = now or timezone.now()
    with transaction.atomic():
        if now < contest.entries_close_at:
            raise ServiceError(
                _("Entries are still open; judging starts after they close."),
                code="entries_still_open",
            )
        if contest.entries.filter(status=EntryStatus.SUBMITTED).exists():
            raise ServiceError(
                _("Accept or reject every entry before judging starts."), code="entries_pending"
            )
        transition(
            Contest,
            contest.pk,
            field="state",
            from_states=ContestState.PUBLISHED,
            to_state=ContestState.JUDGING,
            judging_started_at=now,
        )
        entries = list(contest.entries.filter(status=EntryStatus.ACCEPTED))
        _record_conflicts(contest, entries)
        contest_entry_activities_record(actor=actor, contest=contest)
        audit.record(
            actor=actor,
            action="contest.judging_started",
            obj=contest,
            after={"accepted_entries": len(entries)},
        )


def entry_score(*, judge: ContestJudge, entry: ContestEntry, scores: dict[int, int]) -> None:
    """A judge's scores for one entry, one per criterion; scoring again replaces them."""
    entry = ContestEntry.objects.select_related("contest").get(pk=entry.pk)
    contest = entry.contest
    criteria = set(contest.criteria.values_list("pk", flat=True))
    if set(scores) != criteria:
        raise ServiceError(_("Score every criterion."), code="criteria_missing")
    if any(not 0 <= value <= SCORE_MAX for value in scores.values()):
        raise ServiceError(
            _("Scores go from 0 to %(max)d.") % {"max": SCORE_MAX}, code="score_out_of_range"
        )
    if judge.contest_id != contest.pk or entry.status != EntryStatus.ACCEPTED:
        raise ServiceError(_("This entry is not for you to score."), code="not_scorable")
    if ContestConflict.objects.filter(entry=entry, judge=judge).exists():
        raise ServiceError(
            _("You have a conflict of interest with this entry: you do not score it."),
            code="conflict_of_interest",
        )
    with transaction.atomic():
        if not Contest.objects.filter(pk=contest.pk, state=ContestState.JUDGING).exists():
            raise Conflict(_("This contest is not being judged."), code="not_judging")
        for criterion_id, value in scores.items():
            ContestScore.objects.update_or_create(
                entry=entry, judge=judge, criterion_id=criterion_id, defaults={"score": value}
            )


def contest_results_publish(*, actor: Any, contest: Contest) -> None:
    with transaction.atomic():
        progress = scoring_progress(contest)
        if not progress.complete:
            raise ServiceError(
                _("%(missing)d scores are still missing.") % {"missing": progress.missing},
                code="scores_missing",
            )
        transition(
            Contest,
            contest.pk,
            field="state",
            from_states=ContestState.JUDGING,
            to_state=ContestState.FINISHED,
            results_published_at=timezone.now(),
        )
        ranked = _rank_entries(contest)
        audit.record(
            actor=actor,
            action="contest.results_published",
            obj=contest,
            after={"ranks": {str(r.entry_id): r.rank for r in ranked}},
        )
        emit(
            "contest.results_published",
            {
                "contest_id": contest.pk,
                "ranked_entry_ids": [r.entry_id for r in ranked if r.rank is not None],
            },
            actor=actor,
        )


def _rank_entries(contest: Contest) -> list:
    entries = list(
        contest.entries.filter(status=EntryStatus.ACCEPTED).order_by("submitted_at", "pk")
    )
    weights = dict(contest.criteria.values_list("pk", "weight"))
    scores: Iterable[Score] = (
        Score(*row)
        for row in ContestScore.objects.filter(entry__in=entries).values_list(
            "entry_id", "criterion_id", "score"
        )
    )
    ranked = rank([entry.pk for entry in entries], entry_totals(scores, weights))
    for result in ranked:
        ContestEntry.objects.filter(pk=result.entry_id).update(
            total=result.total_display, rank=result.rank
        )
    return ranked

"""Demo insights: attendance from the demo's event activities, filled rollups, a year of
level reviews (so the journey has history), targets, and answered surveys."""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kizuna.accounts.models import User
from kizuna.community.models import Activity, Attendance, AttendanceStatus, Event, Member
from kizuna.core.seeding import DemoContext
from kizuna.insights import fill, levels, services
from kizuna.insights.metrics import HEADLINE_METRICS
from kizuna.insights.models import KpiValue, Survey, SurveyInvitation
from kizuna.insights.periods import period_start, previous_start, tokyo_day

COMMENTS = [
    "LT がもっと聞きたいです",
    "初参加でも話しかけやすい雰囲気でした",
    "資料を事前に共有してほしい",
    "オンライン配信があると助かります",
    "ハンズオンの時間が足りなかった",
]


def seed(ctx: DemoContext) -> None:
    _attendance_from_activities(ctx)
    span = fill.activity_span()
    if span is None:
        return
    today = tokyo_day(timezone.now())
    fill.rebuild(span[0], today, today=today, progress=lambda items: ctx.track(items, "insights"))
    _replay_level_reviews(today)
    _targets(today)
    _surveys(ctx, today)


def _attendance_from_activities(ctx: DemoContext) -> None:
    """Events' attendance lists, from the 'attended' activities, with a few no-shows."""
    pairs = (
        Activity.objects.filter(type__key="attended_event", event__isnull=False)
        .values_list("event_id", "member_id")
        .distinct()
    )
    rows = [
        Attendance(
            event_id=event_id,
            member_id=member_id,
            status=AttendanceStatus.NO_SHOW
            if ctx.rng.random() < 0.08
            else AttendanceStatus.ATTENDED,
        )
        for event_id, member_id in pairs
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def _replay_level_reviews(today: date) -> None:
    month = period_start("month", today)
    months = []
    for _ in range(12):
        month = previous_start("month", month)
        months.append(month)
    for start in reversed(months):
        month_end = period_start("month", start + timedelta(days=32)) - timedelta(days=1)
        levels.levels_update(as_of=month_end, review=True)
    levels.levels_update(as_of=today, review=False)


def _targets(today: date) -> None:
    admin = User.objects.filter(staff_role_grants__role="admin").first()
    last_month = previous_start("month", period_start("month", today))
    for metric, value in KpiValue.objects.filter(
        interval="month", period_start=last_month, metric__in=HEADLINE_METRICS
    ).values_list("metric", "value"):
        if value:
            services.kpi_target_set(
                actor=admin,
                metric=metric,
                interval="month",
                period=today,
                value=round(value * 1.1, 1),
            )


def _surveys(ctx: DemoContext, today: date) -> None:
    admin = User.objects.filter(staff_role_grants__role="admin").first()
    recent = Event.objects.filter(starts_at__lt=timezone.now()).order_by("-starts_at")[:8]
    for event in reversed(list(recent)):
        survey = services.survey_create(
            actor=admin,
            kind="nps",
            title=f"{event.title} アンケート",
            question="このイベントを友人や同僚に勧める可能性はどのくらいありますか？",
            period_day=tokyo_day(event.starts_at),
            event=event,
            free_text_questions=["良かった点・改善してほしい点を教えてください"],
        )
        attendees = list(Member.objects.filter(attendances__event=event)[:60])
        _answer(ctx, survey, attendees, admin, low=5)
    ces = services.survey_create(
        actor=admin,
        kind="ces",
        title="ドキュメントの使いやすさ調査",
        question="ドキュメントで目的を達成するのはどのくらい簡単でしたか？",
        period_day=today - timedelta(days=10),
        free_text_questions=["困った点があれば教えてください"],
    )
    _answer(ctx, ces, list(Member.objects.filter(engagement__isnull=False)[:80]), admin, low=3)


def _answer(
    ctx: DemoContext, survey: Survey, members: list[Member], admin: Any, *, low: int
) -> None:
    services.survey_invite(actor=admin, survey=survey, members=members)
    high = 10 if survey.kind == "nps" else 7
    question = survey.questions.get()  # each demo survey asks one free-text question
    with transaction.atomic():
        for invitation in SurveyInvitation.objects.filter(survey=survey):
            if ctx.rng.random() < 0.6:
                free_text = (
                    {question.pk: ctx.rng.choice(COMMENTS)} if ctx.rng.random() < 0.4 else {}
                )
                services.survey_answer(
                    token=invitation.token, score=ctx.rng.randint(low, high), free_text=free_text
                )

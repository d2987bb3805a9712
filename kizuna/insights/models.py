"""Insights data: rollups of community activity, KPI values, targets and surveys.

The rollups follow Zulip's analytics design: aggregate tables filled incrementally by the
worker, with a fill state (a watermark over activity ids) saying how far they are filled.
Everything in them can be rebuilt from the raw activities (`manage.py rebuild_insights`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kizuna.community.models import Event, Member


class Interval(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class FillState(models.Model):
    """How far the rollups are filled: every activity with id <= last_activity_id is in."""

    name = models.CharField(max_length=50, unique=True)
    last_activity_id = models.BigIntegerField(default=0)
    filled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.last_activity_id}"


class DirtyDay(models.Model):
    """A day (Asia/Tokyo) whose week, month and quarter KPIs must be computed again."""

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return str(self.day)


class DirtyFiguresDay(models.Model):
    """A day (Asia/Tokyo) whose periods need some figures computed again, short of every
    member KPI (that is DirtyDay): the event KPIs, or only the first-response figures.

    A day of chat messages changes no event figure; event figures change without any
    activity (an attendance list edited); a late answer to an old question changes that
    question's first-response figures and nothing else of its period.
    """

    class Figures(models.TextChoices):
        EVENTS = "events"
        RESPONSES = "responses"

    figures = models.CharField(max_length=20, choices=Figures.choices)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["figures", "day"], name="dirty_figures_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.figures} {self.day}"


class DirtyMember(models.Model):
    """A member whose rollup rows must be rebuilt (merged, erased, flagged bot or staff)."""

    member_id = models.BigIntegerField(unique=True)

    def __str__(self) -> str:
        return f"#{self.member_id}"


class MemberPeriod(models.Model):
    """One countable member's activity in one week, month or quarter (Asia/Tokyo).

    Only members who count (not bots, not staff, not merged away) have rows; erased
    members keep theirs, since they count anonymously.
    """

    # Rollups are rebuilt from activities, never the reverse; a database-level foreign key
    # would make each bulk fill check (and lock) every member row it touches.
    # Indexed by member_period_member (below), not a second time by the key itself.
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="insights_periods",
        db_constraint=False,
        db_index=False,
    )
    interval = models.CharField(max_length=10, choices=Interval.choices)
    period_start = models.DateField()
    activities = models.IntegerField(default=0)
    weight = models.IntegerField(default=0)
    outputs = models.IntegerField(default=0)
    talks = models.IntegerField(default=0)
    lightning_talks = models.IntegerField(default=0)
    articles = models.IntegerField(default=0)
    social_posts = models.IntegerField(default=0)
    answers = models.IntegerField(default=0)
    code = models.IntegerField(default=0)
    questions = models.IntegerField(default=0)
    chat_joins = models.IntegerField(default=0)
    events_attended = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interval", "period_start", "member"], name="member_period_unique"
            )
        ]
        indexes = [models.Index(fields=["member"], name="member_period_member")]

    def __str__(self) -> str:
        return f"#{self.member_id} {self.interval} {self.period_start}"


class MemberFirst(models.Model):
    """The first day a countable member was active, and the first day they made an output."""

    member = models.OneToOneField(
        Member, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    first_active = models.DateField(db_index=True)
    first_output = models.DateField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"#{self.member_id} {self.first_active}"


class QuestionResponse(models.Model):
    """A countable member's question (or issue), and when someone else first answered it.

    One row per question activity; first_response_at is the earliest reply (an activity of
    the same source whose reply_to_external_id is the question's external id) by another
    countable member, not dated before the question. Empty while unanswered.

    The period figures need each question's period and response time: they are stored
    (response_seconds kept in step with first_response_at by kizuna.insights.sql), so a
    period's median steps through an index in order instead of sorting its questions.
    """

    question_id = models.BigIntegerField(primary_key=True)  # the question's activity id
    # Indexed by question_response_member (below), not a second time by the key itself.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    asked_at = models.DateTimeField()
    asked_on = models.DateField()  # Asia/Tokyo
    # The starts of the week, month and quarter of asked_on.
    asked_week = models.DateField()
    asked_month = models.DateField()
    asked_quarter = models.DateField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    # first_response_at - asked_at, in whole seconds.
    response_seconds = models.IntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["member"], name="question_response_member"),
            # Cover the period figures: the count of answered and unanswered questions, and
            # the median read in order, from the index alone.
            models.Index(fields=["asked_week", "response_seconds"], name="question_response_week"),
            models.Index(
                fields=["asked_month", "response_seconds"], name="question_response_month"
            ),
            models.Index(
                fields=["asked_quarter", "response_seconds"], name="question_response_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"question {self.question_id} → {self.first_response_at}"


class KpiValue(models.Model):
    """A KPI's value for one period, computed from the rollups; what dashboards read."""

    metric = models.CharField(max_length=50)
    interval = models.CharField(max_length=10, choices=Interval.choices)
    period_start = models.DateField()
    value = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interval", "period_start", "metric"], name="kpi_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.interval} {self.period_start} = {self.value}"


class KpiTarget(models.Model):
    metric = models.CharField(_("KPI"), max_length=50)
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices)
    period_start = models.DateField(_("period"))
    value = models.FloatField(_("target"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(
                fields=["interval", "period_start", "metric"], name="kpi_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.interval} {self.period_start} → {self.value}"


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10)")
    CES = "ces", _("CES (1–7)")


class Survey(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("question"), max_length=300)
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        verbose_name=_("event"),
    )
    # The day the survey stands for: the event's day, or the day a periodic survey went out.
    period_day = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_day", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """An optional free-text question asked after the score."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """A personal link: one answer per token, no sign-in. Sent once, recorded."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="invitation_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → #{self.member_id}"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.survey}: {self.score}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), max_length=2000)

    def __str__(self) -> str:
        return self.text[:40]


class DigestSend(models.Model):
    """A monthly digest that went out: recorded so each month is sent once."""

    month = models.DateField(unique=True)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.month)


class HashtagPost(models.Model):
    """An activity whose title or body carries the hashtag of an event (normalized: the
    tag without its #, NFKC so a full-width ＃ or letter is the plain one, case-folded).

    Kept by kizuna.insights.hashtags as activities arrive and as events' hashtags change;
    the rollups count these (with every social_post) as hashtag posts.
    """

    activity_id = models.BigIntegerField()
    hashtag = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity_id", "hashtag"], name="hashtag_post_unique")
        ]
        indexes = [models.Index(fields=["hashtag"], name="hashtag_post_tag")]

    def __str__(self) -> str:
        return f"#{self.hashtag} ← activity {self.activity_id}"

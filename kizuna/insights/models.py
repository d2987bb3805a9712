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

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_activity_id = models.BigIntegerField(_("last activity ID"), default=0)
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fill state")
        verbose_name_plural = _("fill states")

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.last_activity_id}"


class DirtyDay(models.Model):
    """A day (Asia/Tokyo) whose week, month and quarter KPIs must be computed again."""

    day = models.DateField(_("day"), unique=True)

    class Meta:
        verbose_name = _("day to recompute")
        verbose_name_plural = _("days to recompute")

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
        EVENTS = "events", _("Events")
        RESPONSES = "responses", _("Survey responses")

    figures = models.CharField(_("figures"), max_length=20, choices=Figures.choices)
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("day of figures to recompute")
        verbose_name_plural = _("days of figures to recompute")
        constraints = [
            models.UniqueConstraint(fields=["figures", "day"], name="dirty_figures_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.figures} {self.day}"


class DirtyMember(models.Model):
    """A member whose rollup rows must be rebuilt (merged, erased, flagged bot or staff)."""

    member_id = models.BigIntegerField(_("member ID"), unique=True)

    class Meta:
        verbose_name = _("member to recompute")
        verbose_name_plural = _("members to recompute")

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
        verbose_name=_("member"),
    )
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices)
    period_start = models.DateField(_("period start"))
    activities = models.IntegerField(_("activities"), default=0)
    weight = models.IntegerField(_("weight"), default=0)
    outputs = models.IntegerField(_("outputs"), default=0)
    talks = models.IntegerField(_("talks"), default=0)
    lightning_talks = models.IntegerField(_("lightning talks"), default=0)
    articles = models.IntegerField(_("articles"), default=0)
    social_posts = models.IntegerField(_("social posts"), default=0)
    answers = models.IntegerField(_("answers"), default=0)
    code = models.IntegerField(_("code"), default=0)
    questions = models.IntegerField(_("questions"), default=0)
    chat_joins = models.IntegerField(_("chat joins"), default=0)
    events_attended = models.IntegerField(_("events attended"), default=0)

    class Meta:
        verbose_name = _("member period")
        verbose_name_plural = _("member periods")
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
        Member,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        verbose_name=_("member"),
    )
    first_active = models.DateField(_("first active"), db_index=True)
    first_output = models.DateField(_("first output"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("member's first activity")
        verbose_name_plural = _("members' first activities")

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

    question_id = models.BigIntegerField(
        _("question ID"), primary_key=True
    )  # the question's activity id
    # Indexed by question_response_member (below), not a second time by the key itself.
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("member"),
    )
    asked_at = models.DateTimeField(_("asked at"))
    asked_on = models.DateField(_("asked on"))  # Asia/Tokyo
    # The starts of the week, month and quarter of asked_on.
    asked_week = models.DateField(_("week asked"))
    asked_month = models.DateField(_("month asked"))
    asked_quarter = models.DateField(_("quarter asked"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # first_response_at - asked_at, in whole seconds.
    response_seconds = models.IntegerField(_("response time (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("question response")
        verbose_name_plural = _("question responses")
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

    metric = models.CharField(_("metric"), max_length=50)
    interval = models.CharField(_("interval"), max_length=10, choices=Interval.choices)
    period_start = models.DateField(_("period start"))
    value = models.FloatField(_("value"), null=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_day", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """An optional free-text question asked after the score."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyInvitation(models.Model):
    """A personal link: one answer per token, no sign-in. Sent once, recorded."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "member"], name="invitation_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.survey} → #{self.member_id}"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    invitation = models.OneToOneField(
        SurveyInvitation,
        on_delete=models.CASCADE,
        related_name="response",
        verbose_name=_("invitation"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey}: {self.score}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    text = models.TextField(_("answer"), max_length=2000)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return self.text[:40]


class DigestSend(models.Model):
    """A monthly digest that went out: recorded so each month is sent once."""

    month = models.DateField(_("month"), unique=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")

    def __str__(self) -> str:
        return str(self.month)


class HashtagPost(models.Model):
    """An activity whose title or body carries the hashtag of an event (normalized: the
    tag without its #, NFKC so a full-width ＃ or letter is the plain one, case-folded).

    Kept by kizuna.insights.hashtags as activities arrive and as events' hashtags change;
    the rollups count these (with every social_post) as hashtag posts.
    """

    activity_id = models.BigIntegerField(_("activity ID"))
    hashtag = models.CharField(_("hashtag"), max_length=100)

    class Meta:
        verbose_name = _("hashtag post")
        verbose_name_plural = _("hashtag posts")
        constraints = [
            models.UniqueConstraint(fields=["activity_id", "hashtag"], name="hashtag_post_unique")
        ]
        indexes = [models.Index(fields=["hashtag"], name="hashtag_post_tag")]

    def __str__(self) -> str:
        return f"#{self.hashtag} ← activity {self.activity_id}"

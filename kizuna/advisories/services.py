"""Every write of the advisories app: advisories, acknowledgments, client sites, statuses."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import Organization
from kizuna.advisories import notices
from kizuna.advisories.models import (
    OPEN_SITE_STATES,
    Advisory,
    AdvisoryRevision,
    AdvisoryState,
    AdvisoryTarget,
    AdvisoryView,
    ClientSite,
    SiteState,
    SiteStatus,
    SiteStatusChange,
    Targeting,
    VulnerabilityReport,
)
from kizuna.advisories.scoring import InvalidVector, score_vector
from kizuna.advisories.versions import is_valid_version, site_is_affected
from kizuna.core import audit
from kizuna.core.events import emit
from kizuna.partners.models import BadgeAward

ACK_SALT = "kizuna.advisories.acknowledge"
# Fields whose change alters what is affected or what to do: the partners hear again.
RENOTIFY_FIELDS = ("affected", "remediation_ja", "remediation_en", "cvss_vector")
AUDITED_FIELDS = (
    "identifier",
    "aliases",
    "title_ja",
    "title_en",
    "cvss_vector",
    "severity",
    "affected",
    "targeting",
    "state",
    "public_at",
    "revision",
)


def _clean_affected(affected: list[dict[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for entry in affected:
        package = str(entry.get("package") or "").strip()
        introduced = str(entry.get("introduced") or "0").strip()
        fixed = str(entry.get("fixed") or "").strip()
        if not package:
            raise ValidationError({"affected": _("Each affected entry names its package.")})
        for version in (v for v in (introduced, fixed) if v and v != "0"):
            if not is_valid_version(version):
                raise ValidationError(
                    {"affected": _("“%(version)s” is not a version.") % {"version": version}}
                )
        cleaned.append({"package": package, "introduced": introduced, "fixed": fixed})
    if not cleaned:
        raise ValidationError({"affected": _("Name at least one affected product or plugin.")})
    return cleaned


def _apply_score(advisory: Advisory, vector: str) -> None:
    try:
        score = score_vector(vector)
    except InvalidVector as error:
        raise ValidationError({"cvss_vector": _("Not a valid CVSS v3.1 or v4.0 vector.")}) from (
            error
        )
    advisory.cvss_vector, advisory.cvss_score, advisory.severity = (
        score.vector,
        score.score,
        score.severity,
    )


def next_identifier(year: int) -> str:
    prefix = f"{settings.KIZUNA_ADVISORY_ID_PREFIX}-{year}-"
    taken = Advisory.objects.filter(identifier__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


@transaction.atomic
def advisory_create(
    *, actor: Any, fields: dict[str, Any], badge_ids: Sequence[int] = ()
) -> Advisory:
    advisory = Advisory(created_by=actor, **{k: v for k, v in fields.items() if k != "affected"})
    advisory.affected = _clean_affected(fields.get("affected") or [])
    _apply_score(advisory, fields.get("cvss_vector", ""))
    if not advisory.identifier:
        advisory.identifier = next_identifier(timezone.localdate().year)
    advisory.full_clean(exclude=["target_badges"])
    advisory.save()
    advisory.target_badges.set(badge_ids)
    # Summaries are stored as written; the page says "first version" in the reader's language.
    AdvisoryRevision.objects.create(advisory=advisory, number=1, summary="", author=actor)
    audit.record(
        actor=actor,
        action="advisory.created",
        obj=advisory,
        after=audit.snapshot(advisory, AUDITED_FIELDS),
    )
    return advisory


@transaction.atomic
def advisory_update(
    *,
    actor: Any,
    advisory: Advisory,
    fields: dict[str, Any],
    summary: str,
    badge_ids: list[int] | None = None,
) -> Advisory:
    """Change an advisory; once partners have it, a change of substance reaches them again."""
    advisory = Advisory.objects.select_for_update().get(pk=advisory.pk)
    if advisory.state == AdvisoryState.WITHDRAWN:
        raise ValidationError(_("A withdrawn advisory cannot be changed."))
    before = audit.snapshot(advisory, AUDITED_FIELDS + RENOTIFY_FIELDS)
    for name, value in fields.items():
        setattr(advisory, name, value)
    if "affected" in fields:
        advisory.affected = _clean_affected(fields["affected"])
    _apply_score(advisory, advisory.cvss_vector)
    substantive = any(before[name] != getattr(advisory, name) for name in RENOTIFY_FIELDS)
    advisory.revision += 1
    advisory.modified_at = timezone.now()
    advisory.full_clean(exclude=["target_badges"])
    advisory.save()
    if badge_ids is not None:
        advisory.target_badges.set(badge_ids)
    released = advisory.state in (AdvisoryState.SHARED, AdvisoryState.PUBLISHED)
    renotify = substantive and released
    AdvisoryRevision.objects.create(
        advisory=advisory,
        number=advisory.revision,
        summary=summary,
        author=actor,
        renotified=renotify,
    )
    if released:
        _sync_targets(advisory)
    if renotify:
        AdvisoryTarget.objects.filter(advisory=advisory).update(
            acknowledged_at=None, acknowledged_by=None
        )
    if released:
        # A wording fix tells only partners the targeting newly reaches; the others' links,
        # signed for the revision they were told of, keep working.
        notices.targets_notify(advisory, now=advisory.modified_at, again=renotify)
    if renotify:
        for payload in _to_each_target(advisory):
            emit("advisory.revised", payload, actor=actor)
    before, after = audit.changed_fields(before, audit.snapshot(advisory, before.keys()))
    audit.record(actor=actor, action="advisory.updated", obj=advisory, before=before, after=after)
    return advisory


def targeted_organization_ids(advisory: Advisory) -> set[int]:
    """Who an advisory is for, from its targeting rule and today's badges and sites."""
    partners = Organization.objects.filter(partner_profile__isnull=False)
    if advisory.targeting == Targeting.ALL:
        return set(partners.values_list("pk", flat=True))
    if advisory.targeting == Targeting.BADGES:
        return set(
            BadgeAward.objects.filter(
                badge__in=advisory.target_badges.all(), partner__organization__in=partners
            ).values_list("partner__organization_id", flat=True)
        )
    return {site.organization_id for site in affected_sites(advisory)}


def affected_sites(
    advisory: Advisory, organization: Organization | None = None
) -> list[ClientSite]:
    sites = ClientSite.objects.all()
    if organization is not None:
        sites = sites.filter(organization=organization)
    return [site for site in sites.order_by("organization_id", "label") if _runs(site, advisory)]


def _runs(site: ClientSite, advisory: Advisory) -> bool:
    """Whether the site runs a version the advisory affects (product or a plugin)."""
    return site_is_affected(
        product_package=settings.KIZUNA_ADVISORY_PRODUCT_PACKAGE,
        product_version=site.product_version,
        plugins=site.plugins,
        affected=advisory.affected,
    )


def _sync_targets(advisory: Advisory) -> list[AdvisoryTarget]:
    """Add the partners the rule now reaches; nobody already told is ever dropped."""
    wanted = targeted_organization_ids(advisory)
    existing = set(advisory.targets.values_list("organization_id", flat=True))
    AdvisoryTarget.objects.bulk_create(
        [AdvisoryTarget(advisory=advisory, organization_id=pk) for pk in sorted(wanted - existing)]
    )
    for site in affected_sites(advisory):
        SiteStatus.objects.get_or_create(
            advisory=advisory,
            site=site,
            defaults={"state": SiteState.AFFECTED, "on": timezone.localdate()},
        )
    return list(advisory.targets.all())


def _event_payload(advisory: Advisory) -> dict[str, Any]:
    return {
        "advisory_id": advisory.pk,
        "identifier": advisory.identifier,
        "severity": advisory.severity,
        "revision": advisory.revision,
    }


def _to_each_target(advisory: Advisory) -> list[dict[str, Any]]:
    """One payload per targeted partner: each partner's feed carries only its own."""
    return [
        {**_event_payload(advisory), "organization_id": organization_id}
        for organization_id in advisory.targets.values_list("organization_id", flat=True)
    ]


def _move(advisory: Advisory, *, allowed_from: tuple[str, ...], to: str, **fields: Any) -> None:
    """Change the state only if it still is one of allowed_from: two staff cannot both do it."""
    changed = Advisory.objects.filter(pk=advisory.pk, state__in=allowed_from).update(
        state=to, **fields
    )
    if not changed:
        raise ValidationError(
            _("This advisory is no longer in a state that allows this; reload the page.")
        )
    advisory.refresh_from_db()


@transaction.atomic
def advisory_share(*, actor: Any, advisory: Advisory, now: dt.datetime | None = None) -> Advisory:
    """Start the embargo: the targeted partners (only they) can read it before the public."""
    now = now or timezone.now()
    if advisory.public_at <= now:
        raise ValidationError(
            {"public_at": _("Set a public date in the future to share it under embargo first.")}
        )
    _move(advisory, allowed_from=(AdvisoryState.DRAFT,), to=AdvisoryState.SHARED, shared_at=now)
    _sync_targets(advisory)
    notices.targets_notify(advisory, now=now)
    for payload in _to_each_target(advisory):
        emit("advisory.shared", payload, actor=actor)
    audit.record(actor=actor, action="advisory.shared", obj=advisory)
    return advisory


@transaction.atomic
def advisory_publish(*, actor: Any, advisory: Advisory, now: dt.datetime | None = None) -> Advisory:
    """Make it public: on its public date by the worker, or at once by staff (public date moves)."""
    now = now or timezone.now()
    fields: dict[str, Any] = {"published_at": now, "modified_at": now}
    if advisory.public_at > now:
        fields["public_at"] = now
    _move(
        advisory,
        allowed_from=(AdvisoryState.DRAFT, AdvisoryState.SHARED),
        to=AdvisoryState.PUBLISHED,
        **fields,
    )
    _sync_targets(advisory)
    notices.targets_notify(advisory, now=now)
    emit("advisory.published", _event_payload(advisory), actor=actor)
    audit.record(actor=actor, action="advisory.published", obj=advisory)
    return advisory


@transaction.atomic
def advisory_withdraw(*, actor: Any, advisory: Advisory, reason: str) -> Advisory:
    _move(
        advisory,
        allowed_from=(AdvisoryState.DRAFT, AdvisoryState.SHARED, AdvisoryState.PUBLISHED),
        to=AdvisoryState.WITHDRAWN,
        modified_at=timezone.now(),
    )
    audit.record(actor=actor, action="advisory.withdrawn", obj=advisory, after={"reason": reason})
    return advisory


def advisories_remind(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Halfway to the deadline, partners who have not answered get a reminder; past it, the
    partner managers hear of them. Keys make each one go once, however often this runs."""
    from kizuna.advisories.selectors import deadline, released_at, target_rows

    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    released = Advisory.objects.filter(state__in=(AdvisoryState.SHARED, AdvisoryState.PUBLISHED))
    for advisory in released:
        start, due = released_at(advisory), deadline(advisory)
        if start is None or due is None or now < start + (due - start) / 2:
            continue
        for row in target_rows(advisory, now=now):
            answered = row.target.acknowledged_at is not None and row.open_sites == 0
            if answered:
                continue
            if now < due:
                counts["reminded"] += bool(
                    notices.target_remind(row.target, stage="halfway", deadline=due)
                )
            else:
                counts["escalated"] += bool(
                    notices.target_escalate(row.target, deadline=due, open_sites=row.open_sites)
                )
    return counts


@transaction.atomic
def advisory_target_remind(*, actor: Any, target: AdvisoryTarget, now: dt.datetime) -> int:
    """Staff remind one overdue partner by hand: at most once a day."""
    from kizuna.advisories.selectors import deadline

    due = deadline(target.advisory) or now
    sent = notices.target_remind(target, stage=f"manual:{timezone.localdate(now)}", deadline=due)
    audit.record(actor=actor, action="advisory.partner_reminded", obj=target.advisory)
    return sent


def advisories_publish_due(*, now: dt.datetime | None = None) -> int:
    """Publish every shared advisory whose public date has come (the worker runs this)."""
    now = now or timezone.now()
    due = Advisory.objects.filter(state=AdvisoryState.SHARED, public_at__lte=now)
    for advisory in due:
        advisory_publish(actor=None, advisory=advisory, now=now)
    return len(due)


@transaction.atomic
def advisory_view_record(
    *, user: Any, advisory: Advisory, organization: Organization | None
) -> None:
    """Log a read under embargo: the security team knows who saw it before the public."""
    if advisory.is_under_embargo and user.is_authenticated:
        AdvisoryView.objects.create(advisory=advisory, user=user, organization=organization)


def acknowledgment_token(target: AdvisoryTarget) -> str:
    return signing.dumps(
        {"t": target.pk, "a": target.advisory_id, "r": target.notified_revision}, salt=ACK_SALT
    )


def target_from_token(token: str) -> AdvisoryTarget:
    """The target a one-click link was made for, or ValidationError (forged, expired, stale)."""
    try:
        data = signing.loads(
            token, salt=ACK_SALT, max_age=settings.KIZUNA_ADVISORY_ACK_LINK_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Sign in to acknowledge.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    target = (
        AdvisoryTarget.objects.select_related("advisory", "organization")
        .filter(pk=data.get("t"), advisory_id=data.get("a"))
        .first()
    )
    if target is None:
        raise ValidationError(_("This link is not valid."))
    if target.notified_revision != data.get("r"):
        raise ValidationError(
            _("The advisory has been revised since this link was sent; read the new version.")
        )
    return target


@transaction.atomic
def advisory_acknowledge(
    *, actor: Any, target: AdvisoryTarget, now: dt.datetime | None = None
) -> bool:
    """Record that a partner has read the advisory; True the first time, False after."""
    now = now or timezone.now()
    user = actor if actor is not None and actor.is_authenticated else None
    changed = AdvisoryTarget.objects.filter(pk=target.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user
    )
    if changed:
        target.refresh_from_db()
        emit(
            "advisory.acknowledged",
            {
                "advisory_id": target.advisory_id,
                "identifier": target.advisory.identifier,
                "organization_id": target.organization_id,
                "acknowledged_at": now,
            },
            actor=user,
        )
        audit.record(actor=user, action="advisory.acknowledged", obj=target.advisory)
        _note_if_answered(advisory=target.advisory, organization_id=target.organization_id, now=now)
    return bool(changed)


def _note_if_answered(*, advisory: Advisory, organization_id: int, now: dt.datetime) -> None:
    """The first time a partner has acknowledged and has no site left open, that is its
    answer: stamped once, and announced with whether it came by the deadline."""
    from kizuna.advisories.selectors import deadline

    if SiteStatus.objects.filter(
        advisory=advisory, site__organization_id=organization_id, state__in=OPEN_SITE_STATES
    ).exists():
        return
    answered = AdvisoryTarget.objects.filter(
        advisory=advisory,
        organization_id=organization_id,
        acknowledged_at__isnull=False,
        answered_at__isnull=True,
    ).update(answered_at=now)
    if not answered:
        return
    due = deadline(advisory)
    emit(
        "advisory.answered",
        {
            "advisory_id": advisory.pk,
            "identifier": advisory.identifier,
            "organization_id": organization_id,
            "answered_at": now,
            "deadline": due,
            "on_time": due is None or now <= due,
        },
    )


SITE_FIELDS = ("label", "url", "product_version", "plugins", "hosting_notes")


def _clean_plugins(plugins: list[dict[str, Any]]) -> list[dict[str, str]]:
    cleaned = []
    for plugin in plugins:
        name, version = str(plugin.get("name", "")).strip(), str(plugin.get("version", "")).strip()
        if name:
            cleaned.append({"name": name, "version": version})
    return cleaned


@transaction.atomic
def client_site_save(
    *,
    actor: Any,
    organization: Organization,
    fields: dict[str, Any],
    site: ClientSite | None = None,
) -> ClientSite:
    site = site or ClientSite(organization=organization)
    before = audit.snapshot(site, SITE_FIELDS) if site.pk else None
    for name, value in fields.items():
        setattr(site, name, value)
    site.plugins = _clean_plugins(site.plugins or [])
    site.full_clean(validate_constraints=False)
    if (
        ClientSite.objects.filter(organization=organization, label=site.label)
        .exclude(pk=site.pk)
        .exists()
    ):
        raise ValidationError({"label": _("You already have a site with this label.")})
    site.save()
    audit.record(
        actor=actor,
        action="client_site.updated" if before else "client_site.created",
        obj=site,
        before=before,
        after=audit.snapshot(site, SITE_FIELDS),
    )
    _track_site_on_open_advisories(site)
    return site


def _track_site_on_open_advisories(site: ClientSite) -> None:
    """A site added or upgraded while an advisory is out gets (or keeps) its status line."""
    released = Advisory.objects.filter(state__in=(AdvisoryState.SHARED, AdvisoryState.PUBLISHED))
    for advisory in released.filter(targets__organization=site.organization):
        if _runs(site, advisory):
            SiteStatus.objects.get_or_create(
                advisory=advisory,
                site=site,
                defaults={"state": SiteState.AFFECTED, "on": timezone.localdate()},
            )


@transaction.atomic
def client_site_delete(*, actor: Any, site: ClientSite) -> None:
    audit.record(
        actor=actor,
        action="client_site.deleted",
        obj=site,
        before=audit.snapshot(site, SITE_FIELDS),
    )
    site.delete()


@transaction.atomic
def site_status_set(
    *,
    actor: Any,
    advisory: Advisory,
    site: ClientSite,
    state: str,
    on: dt.date,
    note: str = "",
) -> SiteStatus:
    if state not in SiteState.values:
        raise ValidationError({"state": _("Choose a status from the list.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    status, _created = SiteStatus.objects.select_for_update().get_or_create(
        advisory=advisory, site=site, defaults={"state": state, "on": on}
    )
    previous = status.state
    status.state, status.on, status.note = state, on, note
    status.updated_by = actor
    status.updated_at = timezone.now()
    status.save()
    SiteStatusChange.objects.create(status=status, state=state, on=on, note=note, changed_by=actor)
    emit(
        "advisory.site_status_changed",
        {
            "advisory_id": advisory.pk,
            "identifier": advisory.identifier,
            "organization_id": site.organization_id,
            "site_id": site.pk,
            "previous_state": previous,
            "state": state,
            "on": on,
        },
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="advisory.site_status_changed",
        obj=status.site,
        before={"state": previous},
        after={"state": state, "on": on.isoformat(), "note": note},
    )
    _note_if_answered(advisory=advisory, organization_id=site.organization_id, now=timezone.now())
    return status


@transaction.atomic
def vulnerability_report_submit(
    *, name: str, email: str, product: str, details: str
) -> VulnerabilityReport:
    report = VulnerabilityReport(name=name, email=email, product=product, details=details)
    report.full_clean()
    report.save()
    notices.report_acknowledge(report)
    return report

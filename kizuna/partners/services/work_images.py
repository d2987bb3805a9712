"""Screenshots of published work: one per verified achievement, shown on the public page.

The partner attaches the screenshot and chooses to show it; it is shown only while the
achievement is verified, its summary published and its client may be named (see
selectors.published_work_images), and a partner shows at most KIZUNA_WORK_IMAGES_MAX.
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.core.images import reencoded, validate_image
from kizuna.partners.models import Achievement, AchievementStatus, PartnerProfile, WorkImage
from kizuna.partners.services.validation import field_error

# Shown at most about 600 px wide, and opened full size: enough for a sharp screen.
WORK_IMAGE_MAX_SIDE = 1600


def _checked_upload(upload: UploadedFile, achievement: Achievement) -> Any:
    limit = settings.KIZUNA_WORK_IMAGE_MAX_BYTES
    if (upload.size or 0) > limit:
        raise field_error(
            "image",
            _("The screenshot is larger than %(limit)s; upload a smaller image.")
            % {"limit": filesizeformat(limit)},
            "work_image_too_large",
        )
    try:
        validate_image(upload)
    except ValidationError as error:
        raise field_error("image", error.messages[0], str(error.code)) from None
    stem = f"{achievement.partner.slug}-{achievement.pk}-{secrets.token_hex(4)}"
    return reencoded(upload, max_side=WORK_IMAGE_MAX_SIDE, stem=stem)


def _require_showable(achievement: Achievement) -> None:
    """What staff verified and the partner made public; anything else stays private."""
    if achievement.status != AchievementStatus.VERIFIED:
        raise ValidationError(
            _("Only the work of a verified achievement can be shown."), code="not_verified"
        )
    if not achievement.summary_published:
        raise field_error(
            "published",
            _("Publish the achievement's summary first: it is the screenshot's caption."),
            "summary_not_published",
        )
    if not achievement.client_may_be_named:
        raise field_error(
            "published",
            _(
                "A screenshot shows whose site it is: it can be shown only for work whose "
                "client may be named."
            ),
            "client_not_named",
        )


def _require_room(partner: PartnerProfile, achievement: Achievement) -> None:
    # Locked, so two achievements published at once cannot both take the last place.
    PartnerProfile.objects.select_for_update().filter(pk=partner.pk).first()
    shown = (
        WorkImage.objects.filter(achievement__partner=partner, published=True)
        .exclude(achievement=achievement)
        .count()
    )
    limit = settings.KIZUNA_WORK_IMAGES_MAX
    if shown >= limit:
        raise field_error(
            "published",
            _(
                "You already show %(count)s screenshots, the most a public page shows; hide "
                "one first."
            )
            % {"count": limit},
            "too_many_work_images",
        )


def work_image_save(
    *,
    actor: Any,
    achievement: Achievement,
    image: UploadedFile | None = None,
    published: bool,
    position: int | None = None,
) -> WorkImage:
    """Attach (or replace) the screenshot of a verified achievement and say whether to show it."""
    if achievement.status != AchievementStatus.VERIFIED:
        raise ValidationError(
            _("A screenshot can be added once the achievement is verified."), code="not_verified"
        )
    stored = WorkImage.objects.filter(achievement=achievement).first()
    if image is None and stored is None:
        raise field_error("image", _("Choose the screenshot to upload."), "no_image")
    drawn = _checked_upload(image, achievement) if image is not None else None
    if published:
        _require_showable(achievement)
    with transaction.atomic():
        if published:
            _require_room(achievement.partner, achievement)
        work = stored or WorkImage(achievement=achievement)
        before = audit.snapshot(work, ["image", "published", "position"]) if stored else None
        replaced = work.image.name if stored and drawn is not None else ""
        if drawn is not None:
            work.image = drawn
        work.published = published
        work.position = position
        work.save()
        if replaced:
            transaction.on_commit(lambda: default_storage.delete(replaced), robust=True)
        audit.record(
            actor=actor,
            action="achievement.work_image_saved",
            obj=achievement,
            before=before,
            after=audit.snapshot(work, ["image", "published", "position"]),
        )
    return work


def work_image_remove(*, actor: Any, achievement: Achievement) -> None:
    with transaction.atomic():
        work = WorkImage.objects.select_for_update().filter(achievement=achievement).first()
        if work is None:
            return
        name = work.image.name or ""
        before = audit.snapshot(work, ["image", "published", "position"])
        work.delete()
        transaction.on_commit(lambda: default_storage.delete(name), robust=True)
        audit.record(
            actor=actor, action="achievement.work_image_removed", obj=achievement, before=before
        )

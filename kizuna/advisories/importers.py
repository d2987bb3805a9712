"""A partner's client sites from a CSV file, as an import job (kizuna.core.imports).

Columns (a header row, English or Japanese names; UTF-8, or Shift_JIS as Excel saves it):
label/ラベル (required, the key: a site with the same label is updated), product_version/
製品バージョン (required), url/URL, plugins/プラグイン ("name version" items separated by
";" or line breaks), hosting_notes/ホスティングメモ. Each row is checked by the same form as
the site page, so a row is refused for the reasons the page would give. Sites not in the
file are left alone: an import never deletes.
"""

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext_lazy, gettext_noop

from kizuna.accounts.models import Organization
from kizuna.advisories import permissions
from kizuna.advisories.forms import ClientSiteForm
from kizuna.advisories.models import ClientSite
from kizuna.advisories.services import client_site_save
from kizuna.core.imports import (
    NEW,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Importer,
    ImportRun,
    LineOutcome,
    LineRejected,
    Reason,
    csv_dicts,
    reason,
    reason_in_each_language,
    register,
)
from kizuna.core.models import ImportJob

COLUMNS = {
    "label": "label",
    "ラベル": "label",
    "url": "url",
    "product_version": "product_version",
    "製品バージョン": "product_version",
    "plugins": "plugins",
    "プラグイン": "plugins",
    "hosting_notes": "hosting_notes",
    "ホスティングメモ": "hosting_notes",
}
COMPARED = ("url", "product_version", "plugins", "hosting_notes")


@register
class ClientSiteImporter(Importer):
    """Options: {"organization_id": the partner organization whose inventory this fills}."""

    kind = "client_sites"
    label = gettext_lazy("Client sites (CSV)")
    upload_url = "advisories:sites_import"
    chunk_size = 500

    def allowed(self, user: Any) -> bool:
        return bool(permissions.partner_organizations(user))

    def allowed_job(self, user: Any, job: ImportJob) -> bool:
        organization = Organization.objects.filter(pk=job.options.get("organization_id")).first()
        return organization is not None and permissions.can_change_sites(user, organization)

    def units(self, job: ImportJob, stream: BinaryIO) -> Iterator[tuple[int, Any]]:
        header, rows = csv_dicts(stream, fallback="cp932")
        known = [name for name in header if name.lower() in COLUMNS or name in COLUMNS]
        if not any(COLUMNS.get(name.lower(), COLUMNS.get(name)) == "label" for name in known):
            yield (
                1,
                LineRejected(reason(gettext_noop("bad_header: the file needs a “label” column"))),
            )
            return
        for line, row in rows:
            if isinstance(row, LineRejected):
                yield line, row
            else:
                yield (
                    line,
                    {
                        COLUMNS.get(name.lower(), COLUMNS.get(name)): value.strip()
                        for name, value in row.items()
                        if name in known
                    },
                )

    def process(
        self, job: ImportJob, units: list[Any], *, dry_run: bool, actor: Any, run: ImportRun
    ) -> list[LineOutcome]:
        organization = Organization.objects.get(pk=job.options["organization_id"])
        existing = {
            site.label: site
            for site in ClientSite.objects.filter(
                organization=organization,
                label__in=[row.get("label", "") for _line, row in units if isinstance(row, dict)],
            )
        }
        return [(line, *_import_row(row, organization, existing, actor)) for line, row in units]


def _import_row(
    row: dict[str, str] | LineRejected,
    organization: Organization,
    existing: dict[str, ClientSite],
    actor: Any,
) -> tuple[str, Reason | str]:
    """(status, reason) of one row; a bad row is rejected alone."""
    if isinstance(row, LineRejected):
        return REJECTED, row.reason
    site = existing.get(row.get("label", ""))
    # No instance: a model form writes what it cleaned onto its instance, and `site` must
    # keep its stored values to tell an unchanged row.
    form = ClientSiteForm(
        data={
            "label": row.get("label", ""),
            "url": row.get("url", ""),
            "product_version": row.get("product_version", ""),
            "hosting_notes": row.get("hosting_notes", ""),
            "plugins_text": row.get("plugins", "").replace(";", "\n"),
        },
    )
    if not form.is_valid():
        return REJECTED, reason_in_each_language(lambda: _form_problems(row, form))
    fields = form.service_fields()
    if site is not None and all(getattr(site, name) == fields[name] for name in COMPARED):
        return UNCHANGED, site.label
    with transaction.atomic():
        saved = client_site_save(actor=actor, organization=organization, fields=fields, site=site)
    existing[saved.label] = saved
    return (UPDATED if site else NEW), saved.label


def _form_problems(row: dict[str, str], form: ClientSiteForm) -> str:
    problems = "; ".join(
        f"{form.fields[name].label if name in form.fields else name}: "
        f"{' '.join(str(error) for error in errors)}"
        for name, errors in form.errors.items()
    )
    return f"{row.get('label', '')} ({problems})"

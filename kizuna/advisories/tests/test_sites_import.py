"""A partner's client sites from a CSV file: an import job with a dry run, then apply."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kizuna.advisories.forms import ClientSiteForm
from kizuna.advisories.models import ClientSite, SiteState, SiteStatus
from kizuna.core import imports
from kizuna.core.models import ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db

CSV = (
    "label,product_version,url,plugins,hosting_notes\n"
    "アパレルA社,4.2.1,https://shop-a.example.jp/,coupon-plugin 1.2.0; point-plugin 2.0,VPS\n"
    "雑貨B社,4.3.0,,,\n"
    "壊れた行,4.1.0,ftp://files.example.jp/,,\n"
    ",4.1.0,,,\n"
)


def upload(user, organization, content: bytes, name: str = "sites.csv") -> ImportJob:
    return imports.import_job_create(
        kind="client_sites",
        actor=user,
        file=SimpleUploadedFile(name, content),
        filename=name,
        options={"organization_id": organization.pk},
    )


def apply(job: ImportJob) -> ImportJob:
    assert imports.import_job_request_apply(job=job, actor=job.created_by)
    job.refresh_from_db()
    return job


def _statuses(report):
    return {line: (status, reason) for line, status, reason in report["lines"]}


def test_the_dry_run_reports_each_row_and_stores_nothing(bob, partners):
    job = upload(bob, partners["bob"], CSV.encode())
    assert job.status == ImportJobStatus.CHECKED
    assert job.check_report["counts"] == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    statuses = _statuses(job.check_report)
    assert statuses[2] == ("new", "アパレルA社")
    assert statuses[4][0] == "rejected"
    assert "url" in imports.reason_text(statuses[4][1]).lower()
    assert statuses[5][0] == "rejected"
    assert str(ClientSiteForm.base_fields["label"].label) in imports.reason_text(statuses[5][1])
    # The form's own words, kept in both languages: the reader sees theirs.
    with translation.override("en"):
        assert "Label: This field is required." in imports.reason_text(statuses[5][1])
    assert not ClientSite.objects.exists()


def test_applying_stores_the_sites_and_the_same_file_again_changes_nothing(bob, partners):
    apply(upload(bob, partners["bob"], CSV.encode()))
    site = ClientSite.objects.get(label="アパレルA社")
    assert site.organization == partners["bob"]
    assert site.plugins == [
        {"name": "coupon-plugin", "version": "1.2.0"},
        {"name": "point-plugin", "version": "2.0"},
    ]
    again = apply(upload(bob, partners["bob"], CSV.encode()))
    assert again.apply_report["counts"] == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 2}
    assert ClientSite.objects.count() == 2


def test_a_row_with_a_known_label_updates_that_site(bob, partners, bob_site):
    content = "ラベル,製品バージョン\nアパレルA社,4.2.3\n".encode("cp932")
    job = apply(upload(bob, partners["bob"], content))
    assert job.apply_report["counts"]["updated"] == 1
    bob_site.refresh_from_db()
    assert bob_site.product_version == "4.2.3"


def test_an_imported_site_on_an_affected_version_joins_the_open_advisory(
    bob, partners, shared_advisory
):
    apply(upload(bob, partners["bob"], "label,product_version\n新店舗,4.1.0\n".encode()))
    status = SiteStatus.objects.get(advisory=shared_advisory, site__label="新店舗")
    assert status.state == SiteState.AFFECTED


def test_a_file_without_a_label_column_is_rejected_whole(bob, partners):
    job = upload(bob, partners["bob"], b"name,version\nA,4.2.1\n")
    assert job.check_report["counts"]["rejected"] == 1
    assert "label" in imports.reason_text(job.check_report["lines"][0][2])


@pytest.mark.parametrize("persona", ["eve", "carol", "dave", "alice"])
def test_only_the_partners_own_people_see_its_import_job(client, bob, partners, persona, request):
    job = upload(bob, partners["bob"], CSV.encode())
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 403
    assert client.post(reverse("imports:apply", args=[job.pk])).status_code == 403
    client.force_login(bob)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 200


def test_the_upload_page_starts_a_job_and_lists_only_the_organizations_jobs(
    client, bob, eve, partners
):
    upload(eve, partners["eve"], CSV.encode(), name="eve.csv")
    client.force_login(bob)
    page = client.get(reverse("advisories:sites_import"))
    assert page.status_code == 200
    assert "eve.csv" not in page.content.decode()
    response = client.post(
        reverse("advisories:sites_import"), {"file": SimpleUploadedFile("bob.csv", CSV.encode())}
    )
    job = ImportJob.objects.get(filename="bob.csv")
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.options == {"organization_id": partners["bob"].pk}


@pytest.mark.parametrize("persona", ["carol", "dave", "alice"])
def test_people_without_a_partner_organization_cannot_open_the_upload_page(
    client, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("advisories:sites_import")).status_code == 404


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(max_size=400))
def test_a_client_site_file_of_arbitrary_bytes_never_fails_the_job(bob, partners, content):
    for data in (b"label,product_version,url,plugins,hosting_notes\n" + content, content):
        job = upload(bob, partners["bob"], data)
        assert job.status == ImportJobStatus.CHECKED, job.error
        job = apply(job)
        assert job.status == ImportJobStatus.APPLIED, job.error

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kizuna.core import imports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("alice", True), ("bob", False), ("carol", False), ("dave", False), ("eve", False)],
)
def test_only_billing_staff_see_and_apply_a_bank_statement_job(client, personas, persona, allowed):
    job = imports.import_job_create(
        kind="bank_statement",
        actor=personas["alice"],
        file=SimpleUploadedFile("s.csv", "日付,内容,出金金額(円),入金金額(円),残高(円)\n".encode()),
        filename="s.csv",
    )
    client.force_login(personas[persona])
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == (
        200 if allowed else 403
    )
    response = client.post(reverse("imports:apply", args=[job.pk]))
    assert response.status_code == (302 if allowed else 403)
    job.refresh_from_db()
    assert (job.status == "applied") is allowed

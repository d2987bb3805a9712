"""The points table gets a kind for answering a security advisory by its deadline."""

from django.db import migrations

CODE = "security_response"


def add_kind(apps, schema_editor):
    ContributionKind = apps.get_model("partners", "ContributionKind")
    db = schema_editor.connection.alias
    last = ContributionKind.objects.using(db).order_by("-position").first()
    ContributionKind.objects.using(db).get_or_create(
        code=CODE,
        defaults={
            "name_ja": "セキュリティ勧告への期限内の対応",
            "name_en": "Security advisory answered on time",
            "points": 3,
            "position": (last.position if last else 0) + 1,
        },
    )


def remove_kind(apps, schema_editor):
    # Points already earned keep their kind (a protected reference): then the kind stays.
    ContributionKind = apps.get_model("partners", "ContributionKind")
    Contribution = apps.get_model("partners", "Contribution")
    db = schema_editor.connection.alias
    if not Contribution.objects.using(db).filter(kind__code=CODE).exists():
        ContributionKind.objects.using(db).filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("partners", "0005_merge_applications_and_community_points")]

    operations = [migrations.RunPython(add_kind, remove_kind)]

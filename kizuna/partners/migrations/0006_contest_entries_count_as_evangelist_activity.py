from django.db import migrations


def add_rule(apps, schema_editor):
    """A contest entry of a partner's person counts as evangelist activity (staff change it)."""
    db = schema_editor.connection.alias
    ActivityType = apps.get_model("community", "ActivityType")
    ContributionKind = apps.get_model("partners", "ContributionKind")
    Rule = apps.get_model("partners", "ActivityContributionRule")
    kind = ContributionKind.objects.using(db).filter(code="evangelist_activity").first()
    if kind is not None and ActivityType.objects.using(db).filter(key="contest_entry").exists():
        Rule.objects.using(db).get_or_create(
            activity_type_id="contest_entry", defaults={"kind": kind, "points": None}
        )


def remove_rule(apps, schema_editor):
    # Before community's 0011 is reversed, which removes the activity type the rule names.
    Rule = apps.get_model("partners", "ActivityContributionRule")
    Rule.objects.using(schema_editor.connection.alias).filter(
        activity_type_id="contest_entry"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0011_contests"),
        ("partners", "0005_merge_applications_and_community_points"),
    ]
    operations = [migrations.RunPython(add_rule, remove_rule)]

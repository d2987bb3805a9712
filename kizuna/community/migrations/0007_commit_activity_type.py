from django.db import migrations


def add_commit(apps, schema_editor):
    ActivityType = apps.get_model("community", "ActivityType")
    ActivityType.objects.using(schema_editor.connection.alias).get_or_create(
        key="commit", defaults={"name": "Commit", "weight": 3, "is_output": True}
    )


def remove_commit(apps, schema_editor):
    Activity = apps.get_model("community", "Activity")
    ActivityType = apps.get_model("community", "ActivityType")
    db = schema_editor.connection.alias
    if not Activity.objects.using(db).filter(type_id="commit").exists():
        ActivityType.objects.using(db).filter(key="commit").delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0006_engagement_levels_from_insights")]
    operations = [migrations.RunPython(add_commit, remove_commit)]

"""Engagement levels now belong to community (its 0006 took over the same tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0005_question_response_seconds_and_periods"),
        ("community", "0006_engagement_levels_from_insights"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MemberLevel"),
                migrations.DeleteModel(name="LevelSnapshot"),
            ],
            database_operations=[],
        ),
    ]

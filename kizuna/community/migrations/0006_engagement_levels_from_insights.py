"""Engagement levels move from insights to community.

Only Django's model state moves: the tables (insights_memberlevel, insights_levelsnapshot)
keep their names and rows, so nothing is copied and nothing can be lost.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_activity_keys_without_db_constraints"),
        ("insights", "0005_question_response_seconds_and_periods"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MemberLevel",
                    fields=[
                        (
                            "member",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="engagement",
                                serialize=False,
                                to="community.member",
                            ),
                        ),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (1, "Leading"),
                                    (2, "Contributing"),
                                    (3, "Participating"),
                                    (4, "Exploring"),
                                ],
                                verbose_name="level",
                            ),
                        ),
                        ("since", models.DateField(verbose_name="since")),
                    ],
                    options={
                        "db_table": "insights_memberlevel",
                        "indexes": [models.Index(fields=["level"], name="member_level_level")],
                    },
                ),
                migrations.CreateModel(
                    name="LevelSnapshot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("month", models.DateField()),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (1, "Leading"),
                                    (2, "Contributing"),
                                    (3, "Participating"),
                                    (4, "Exploring"),
                                ]
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="community.member",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "insights_levelsnapshot",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("month", "member"), name="level_snapshot_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    """Events already in the outbox get version 0: written before the catalog, in ad-hoc
    shapes, they are kept for the consumers but never published in the change feed."""

    dependencies = [
        ("core", "0002_event_cursor"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="version",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="outboxevent",
            name="version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
    ]

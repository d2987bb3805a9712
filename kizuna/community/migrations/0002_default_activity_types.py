from django.db import migrations

# (key, name, weight, counts as output). Staff change weights in the admin.
DEFAULT_TYPES = [
    ("attended_event", "Attended an event", 2, False),
    ("talk", "Talk", 10, True),
    ("lightning_talk", "Lightning talk", 5, True),
    ("organized_event", "Organized an event", 8, False),
    ("blog_post", "Blog post", 6, True),
    ("social_post", "Social post with hashtag", 1, False),
    ("question", "Question", 1, False),
    ("answer", "Answer", 4, True),
    ("chat_message", "Chat message", 1, False),
    ("chat_join", "Joined a chat channel", 1, False),
    ("issue", "Issue", 3, False),
    ("pull_request", "Pull request", 8, True),
    ("review", "Code review", 4, True),
    ("comment", "Comment", 1, False),
    ("release", "Release", 8, True),
    ("discussion", "Discussion", 2, False),
    ("plugin_published", "Plugin published", 15, True),
]


def add_types(apps, schema_editor):
    ActivityType = apps.get_model("community", "ActivityType")
    ActivityType.objects.using(schema_editor.connection.alias).bulk_create(
        [ActivityType(key=k, name=n, weight=w, is_output=o) for k, n, w, o in DEFAULT_TYPES],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]

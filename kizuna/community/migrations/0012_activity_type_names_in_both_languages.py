from django.db import migrations, models

# The Japanese names of the types earlier migrations added; a type staff added keeps its one
# name in both languages until staff give it a Japanese one.
JAPANESE = {
    "attended_event": "イベント参加",
    "talk": "登壇",
    "lightning_talk": "LT登壇",
    "organized_event": "イベント主催",
    "blog_post": "ブログ記事",
    "social_post": "ハッシュタグ付きの投稿",
    "question": "質問",
    "answer": "回答",
    "chat_message": "チャットの投稿",
    "chat_join": "チャットチャンネルへの参加",
    "issue": "Issue の起票",
    "pull_request": "プルリクエスト",
    "review": "コードレビュー",
    "comment": "コメント",
    "release": "リリース",
    "discussion": "ディスカッション",
    "plugin_published": "プラグイン公開",
    "commit": "コミット",
    "contest_entry": "コンテスト応募",
}


def name_in_japanese(apps, schema_editor):
    ActivityType = apps.get_model("community", "ActivityType")
    for activity_type in ActivityType.objects.using(schema_editor.connection.alias):
        activity_type.name_ja = JAPANESE.get(activity_type.key, activity_type.name_en)
        activity_type.save(update_fields=["name_ja"])


class Migration(migrations.Migration):
    dependencies = [("community", "0011_contests")]

    operations = [
        migrations.RenameField("activitytype", "name", "name_en"),
        migrations.AlterField(
            model_name="activitytype",
            name="name_en",
            field=models.CharField(max_length=100, verbose_name="name (English)"),
        ),
        migrations.AddField(
            model_name="activitytype",
            name="name_ja",
            field=models.CharField(
                default="", max_length=100, verbose_name="name (Japanese)"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(name_in_japanese, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("study_session", "Study session"),
                    ("meetup", "Meetup"),
                    ("conference", "Conference"),
                    ("workshop", "Workshop"),
                ],
                default="meetup",
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]

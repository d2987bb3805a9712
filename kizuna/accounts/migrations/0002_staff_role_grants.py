"""Staff roles become rows, so one person may hold several; each current role is kept."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLES = [
    ("admin", "Ecosystem admin"),
    ("partner_manager", "Partner manager"),
    ("community_manager", "Community manager"),
    ("outreach", "Outreach"),
    ("integrations", "Integrations"),
    ("security", "Security"),
]


def grant_current_roles(apps, schema_editor):
    db = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    StaffRoleGrant = apps.get_model("accounts", "StaffRoleGrant")
    StaffRoleGrant.objects.using(db).bulk_create(
        StaffRoleGrant(user_id=pk, role=role)
        for pk, role in User.objects.using(db)
        .exclude(staff_role="")
        .values_list("pk", "staff_role")
    )


def keep_first_role(apps, schema_editor):
    db = schema_editor.connection.alias
    User = apps.get_model("accounts", "User")
    StaffRoleGrant = apps.get_model("accounts", "StaffRoleGrant")
    order = [value for value, _ in ROLES]
    roles: dict[int, str] = {}
    for user_id, role in StaffRoleGrant.objects.using(db).values_list("user_id", "role"):
        if user_id not in roles or order.index(role) < order.index(roles[user_id]):
            roles[user_id] = role
    for user_id, role in roles.items():
        User.objects.using(db).filter(pk=user_id).update(staff_role=role)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="StaffRoleGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("role", models.CharField(choices=ROLES, max_length=32, verbose_name="staff role")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff_role_grants",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "staff role", "verbose_name_plural": "staff roles"},
        ),
        migrations.AddConstraint(
            model_name="staffrolegrant",
            constraint=models.UniqueConstraint(
                fields=("user", "role"), name="staff_role_grant_unique"
            ),
        ),
        migrations.RunPython(grant_current_roles, keep_first_role),
        migrations.RemoveField(model_name="user", name="staff_role"),
    ]

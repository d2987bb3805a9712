"""The migration to several staff roles per person keeps each person's current role."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import reset_database

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_staff_role_grants")]


@pytest.mark.django_db(transaction=True)
def test_each_current_staff_role_becomes_a_grant_and_comes_back_on_reversal():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        old.objects.create(email="pm@example.com", staff_role="partner_manager")
        old.objects.create(email="merchant@example.com", staff_role="")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new_apps = executor.loader.project_state(AFTER).apps
        grants = new_apps.get_model("accounts", "StaffRoleGrant").objects.values_list(
            "user__email", "role"
        )
        assert list(grants) == [("pm@example.com", "partner_manager")]
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
        assert dict(old.objects.values_list("email", "staff_role")) == {
            "pm@example.com": "partner_manager",
            "merchant@example.com": "",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reset_database()

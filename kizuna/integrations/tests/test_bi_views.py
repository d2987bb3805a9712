"""The read-only BI views on PostgreSQL: the export's tables and columns, queryable."""

import pytest
from django.db import connection

from kizuna.integrations.destinations.bi import TABLES

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="views exist on PostgreSQL only")
@pytest.mark.parametrize("table", list(TABLES))
def test_each_view_has_the_columns_of_the_parquet_export(table, bob):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM bi_{table} LIMIT 1")  # noqa: S608 - names from TABLES
        columns = [column.name for column in cursor.description]
    assert columns == [name.replace("__", "_") for name in TABLES[table][1]]

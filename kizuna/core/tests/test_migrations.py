"""Data migrations write to the database being migrated, not to the default one.

`manage.py migrate --database X` (the benchmarks migrate a second, baseline database this
way) runs each RunPython function with X's schema editor; a bare `Model.objects` there
would read and write the default database instead.
"""

import re
from pathlib import Path

KIZUNA = Path(__file__).resolve().parents[2]
BARE_MANAGER = re.compile(r"\.objects\.(?!using\()")


def test_every_data_migration_names_the_database_it_migrates():
    offenders = [
        f"{path.relative_to(KIZUNA)}:{number}: {line.strip()}"
        for path in sorted(KIZUNA.glob("*/migrations/0*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BARE_MANAGER.search(line)
    ]
    assert offenders == []

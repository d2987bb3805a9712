from datetime import date

from django.db import migrations

# The program's defaults (docs/billing.md); staff publish new versions from the staff pages.
DEFAULT_RULES = {
    "effective_from": date(2000, 1, 1),
    "min_fee": 10_000,
    "max_fee": 50_000,
    "fee_step": 1_000,
    "small_business_min_fee": 3_000,
    "small_business_max_employees": 5,
    "tax_rate_percent": 10,
    "tax_rounding": "down",
    "annual_discount_percent": 10,
    "first_time_discount_percent": 50,
    "first_time_discount_months": 3,
    "payment_terms_days": 30,
    "issuer_name": "",
    "registration_number": "",
}


def create_defaults(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("billing", "ProgramRules").objects.using(db).get_or_create(
        effective_from=DEFAULT_RULES["effective_from"], defaults=DEFAULT_RULES
    )
    counter = apps.get_model("billing", "NumberCounter")
    for series in ("invoice", "credit_note"):
        counter.objects.using(db).get_or_create(series=series)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]

"""Read-only views for BI tools that connect to PostgreSQL directly (docs/integrations.md).

The same tables and columns as the BI destination's Parquet export, without personal data.
PostgreSQL only: on SQLite (development) this migration does nothing.
"""

from django.db import migrations

VIEWS = {
    "bi_partners": """
        SELECT p.id, p.organization_id, o.name AS organization_name, o.slug AS organization_slug,
               p.head_office_prefecture, p.team_size, p.budget_min, p.budget_max,
               p.accepting_new_clients, p.rank, p.rank_points, p.created_at, p.updated_at
        FROM partners_partnerprofile p JOIN accounts_organization o ON o.id = p.organization_id""",
    "bi_leads": """
        SELECT id, budget, timeline, prefecture, routing, wanted_partners, created_at
        FROM directory_lead""",
    "bi_lead_assignments": """
        SELECT id, lead_id, partner_id, recommended, status, decline_reason, offered_at,
               expires_at, responded_at, completed_at
        FROM directory_assignment""",
    "bi_reviews": """
        SELECT id, partner_id, assignment_id, rating, created_at, hidden_at
        FROM directory_review""",
    "bi_invoices": """
        SELECT i.id, i.kind, i.number, i.account_id, a.organization_id AS account_organization_id,
               i.corrects_id, i.cycle, i.period_start, i.period_end, i.issue_date, i.due_date,
               i.subtotal, i.tax, i.total, i.status, i.overdue_since, i.created_at
        FROM billing_invoice i JOIN billing_billingaccount a ON a.id = i.account_id""",
    "bi_payments": """
        SELECT id, invoice_id, amount, paid_on, confirmed_at FROM billing_payment""",
    "bi_member_periods": """
        SELECT member_id, interval, period_start, activities, weight, outputs, talks,
               lightning_talks, articles, social_posts, answers, code, questions, chat_joins,
               events_attended
        FROM insights_memberperiod""",
    "bi_member_firsts": """
        SELECT member_id, first_active, first_output FROM insights_memberfirst""",
    "bi_kpi_values": """
        SELECT metric, interval, period_start, value FROM insights_kpivalue""",
}


def create_views(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, query in VIEWS.items():
        schema_editor.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")


def drop_views(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in VIEWS:
        schema_editor.execute(f"DROP VIEW IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_destinations"),
        ("accounts", "0002_staff_role_grants"),
        ("partners", "0003_logo_checked_by_content"),
        ("directory", "0004_lead_emails_move_to_outreach"),
        ("billing", "0004_invoice_emails_and_reminder_states_move_to_outreach"),
        ("insights", "0006_engagement_levels_to_community"),
    ]

    operations = [migrations.RunPython(create_views, drop_views)]

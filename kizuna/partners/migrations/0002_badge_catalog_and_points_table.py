"""The badge catalog and the contribution points table the program starts with.

Codes are stable identifiers (imports and the API use them); names are staff-editable.
"""

from django.db import migrations

WORK_BADGES = [
    ("initial_setup", "初期セットアップ", "Initial setup"),
    ("install_service", "インストール代行", "Installation service"),
    ("site_design", "サイトデザイン", "Site design"),
    ("creative", "バナー等クリエイティブの制作", "Banners and other creative work"),
    ("custom_development", "独自機能開発", "Custom feature development"),
    ("plugin_development", "プラグイン開発", "Plugin development"),
    ("security", "セキュリティ確保支援", "Security support"),
    (
        "build_consulting",
        "構築コンサルティング(RFP作成支援・構築ベンダー選定など)",
        "Build consulting (RFP writing, vendor selection, etc.)",
    ),
    ("performance", "パフォーマンス改善", "Performance improvement"),
    ("infrastructure", "サーバー・インフラ運用", "Server and infrastructure operations"),
    ("core_system_integration", "基幹システム連携", "Core system integration"),
    ("backoffice", "バックオフィス業務改善", "Back-office improvement"),
    ("operations_consulting", "運用コンサルティング", "Operations consulting"),
    ("marketing", "マーケティング支援", "Marketing support"),
    ("acquisition", "集客支援", "Customer acquisition"),
    ("seo", "SEO", "SEO"),
    ("advertising", "広告運用", "Advertising operations"),
    ("branding", "ブランディング強化", "Branding"),
    ("content_production", "コンテンツ制作代行", "Content production"),
]
SITE_BADGES = [
    ("cross_border", "海外販売", "Cross-border sales"),
    ("omnichannel", "オムニチャネル", "Omnichannel"),
    ("b2b", "BtoB", "B2B"),
    ("c2c", "CtoC", "C2C"),
    ("subscription", "定期販売", "Subscriptions"),
    ("custom_order", "カスタムオーダー", "Custom orders"),
    ("marketplace", "マルチテナント(モール)", "Multi-tenant marketplace"),
    ("reservation", "予約サイト", "Reservation site"),
    ("rental", "レンタルサイト", "Rental site"),
    ("single_product", "単品通販", "Single-product store"),
    ("non_ec_content", "EC以外のコンテンツサイト", "Non-commerce content site"),
]
CONTRIBUTION_KINDS = [
    ("talk", "イベントでの登壇", "Talk at an event", 5),
    ("event_hosting", "イベントの主催", "Hosting an event", 8),
    ("plugin_published", "プラグインの公開", "Published plugin", 10),
    ("blog_article", "ブログ記事", "Blog article", 2),
    ("answered_question", "質問への回答", "Answered question", 1),
    (
        "product_contribution",
        "製品への貢献(採用されたもの)",
        "Accepted contribution to the product",
        6,
    ),
    ("evangelist_activity", "エバンジェリスト活動", "Evangelist activity", 4),
]


def seed(apps, schema_editor):
    Badge = apps.get_model("partners", "Badge")
    ContributionKind = apps.get_model("partners", "ContributionKind")
    db = schema_editor.connection.alias
    for family, rows in (("work", WORK_BADGES), ("site_type", SITE_BADGES)):
        for position, (code, name_ja, name_en) in enumerate(rows, start=1):
            Badge.objects.using(db).update_or_create(
                code=code,
                defaults={
                    "family": family,
                    "name_ja": name_ja,
                    "name_en": name_en,
                    "position": position,
                },
            )
    for position, (code, name_ja, name_en, points) in enumerate(CONTRIBUTION_KINDS, start=1):
        ContributionKind.objects.using(db).update_or_create(
            code=code,
            defaults={
                "name_ja": name_ja,
                "name_en": name_en,
                "points": points,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

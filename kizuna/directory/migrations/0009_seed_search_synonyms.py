"""The words Japanese merchants type for the badges of the catalog (partners 0002).

Staff extend or change the list in the admin; a badge's own names (ja, en, and the name
without its bracketed part) are read as the badge without being listed here.
"""

from django.db import migrations

SYNONYMS = {
    "initial_setup": ["初期設定", "導入支援", "ネットショップ開業", "立ち上げ支援"],
    "install_service": ["インストール", "導入代行", "設置代行"],
    "site_design": ["サイト制作", "ホームページ制作", "Webデザイン", "サイトリニューアル"],
    "creative": ["バナー制作", "バナー", "商品画像", "商品撮影"],
    "custom_development": ["カスタマイズ", "機能追加", "独自開発", "スクラッチ開発"],
    "plugin_development": ["プラグイン", "拡張機能", "アドオン"],
    "security": ["セキュリティ", "脆弱性診断", "脆弱性対策"],
    "build_consulting": ["RFP", "ベンダー選定", "構築コンサル"],
    "performance": ["高速化", "表示速度", "速度改善", "パフォーマンス"],
    "infrastructure": [
        "インフラ",
        "サーバー",
        "サーバー構築",
        "サーバー運用",
        "AWS",
        "GCP",
        "Azure",
        "クラウド",
    ],
    "core_system_integration": ["基幹連携", "基幹システム", "ERP", "在庫連携", "WMS"],
    "backoffice": ["バックオフィス", "業務効率化", "受注処理", "業務改善"],
    "operations_consulting": ["運用支援", "EC運用", "運営代行"],
    "marketing": ["マーケティング", "CRM", "メルマガ", "MA"],
    "acquisition": ["集客", "Web集客"],
    "seo": ["検索エンジン最適化", "SEO対策"],
    "advertising": ["リスティング広告", "運用型広告", "SNS広告", "Web広告"],
    "branding": ["ブランディング", "ブランド戦略"],
    "content_production": ["記事制作", "ライティング", "コンテンツ制作", "商品ページ制作"],
    "cross_border": ["越境EC", "越境", "海外展開", "多言語", "多通貨"],
    "omnichannel": ["OMO", "O2O", "店舗連携", "POS連携"],
    "b2b": ["B2B", "卸", "卸売", "法人向け", "企業間取引"],
    "c2c": ["C2C", "フリマ", "個人間取引"],
    "subscription": ["サブスク", "サブスクリプション", "定期購入", "定期通販", "定期便", "頒布会"],
    "custom_order": ["オーダーメイド", "セミオーダー", "受注生産", "名入れ"],
    "marketplace": ["マーケットプレイス", "ショッピングモール", "出店型"],
    "reservation": ["予約", "予約システム", "来店予約"],
    "rental": ["レンタル", "貸し出し"],
    "single_product": ["D2C", "DtoC", "単品リピート", "リピート通販"],
    "non_ec_content": ["オウンドメディア", "コーポレートサイト", "メディアサイト"],
}


def seed(apps, schema_editor):
    Badge = apps.get_model("partners", "Badge")
    SearchSynonym = apps.get_model("directory", "SearchSynonym")
    db = schema_editor.connection.alias if schema_editor else "default"
    badges = Badge.objects.using(db).in_bulk(list(SYNONYMS), field_name="code")
    for code, terms in SYNONYMS.items():
        if code in badges:  # a catalog edited before this migration may lack a badge
            for term in terms:
                SearchSynonym.objects.using(db).get_or_create(term=term, badge=badges[code])


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_search_synonyms")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

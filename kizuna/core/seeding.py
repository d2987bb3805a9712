"""The demo ecosystem: shared pieces for each app's `demo.py`, run by `manage.py seed_demo`.

Each app that has data to show contributes `seed(ctx)` in its own demo module; they run in
INSTALLED_APPS order, so later apps build on the people and partners seeded before them.
"""

import importlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection
from tqdm import tqdm

T = TypeVar("T")

DEMO_PASSWORD = "kizuna-demo"  # noqa: S105 - printed by `make demo`; never used in production

SCALES = {
    # partners, merchants, community members with accounts
    "small": {"partners": 24, "merchants": 20, "members": 40},
    "medium": {"partners": 500, "merchants": 300, "members": 1_000},
    "large": {"partners": 10_000, "merchants": 2_000, "members": 5_000},
}


@dataclass
class DemoContext:
    rng: random.Random
    scale: str
    today: date
    progress: bool = True
    # What earlier apps seeded, for later ones to build on (e.g. "partner_organizations").
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def sizes(self) -> dict[str, int]:
        return SCALES[self.scale]

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        yield from tqdm(items, desc=description, total=total, disable=not self.progress, unit="")


def demo_modules() -> list[Any]:
    modules = []
    for app in apps.get_app_configs():
        if app.name.startswith("kizuna."):
            try:
                modules.append(importlib.import_module(f"{app.name}.demo"))
            except ModuleNotFoundError as error:
                if error.name != f"{app.name}.demo":
                    raise
    return modules


def seed_all(ctx: DemoContext) -> None:
    for module in demo_modules():
        module.seed(ctx)
        _refresh_planner_statistics()


def _refresh_planner_statistics() -> None:
    """Let PostgreSQL's planner see what the last app loaded before the next app reads it.

    The demo loads in one transaction, so autovacuum never analyzes the new rows in time;
    without statistics the planner takes the tables for empty and picks nested loops that
    ran for over ten minutes on the large scale's million activities. ANALYZE samples the
    transaction's own rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# Japanese names for realistic people and companies.
SURNAMES = [
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
    ("清水", "shimizu"),
    ("山口", "yamaguchi"),
    ("森", "mori"),
    ("池田", "ikeda"),
    ("橋本", "hashimoto"),
    ("阿部", "abe"),
    ("石川", "ishikawa"),
]
GIVEN_NAMES = [
    ("翔太", "shota"),
    ("陽菜", "hina"),
    ("大輝", "daiki"),
    ("結衣", "yui"),
    ("健一", "kenichi"),
    ("美咲", "misaki"),
    ("拓海", "takumi"),
    ("さくら", "sakura"),
    ("蓮", "ren"),
    ("葵", "aoi"),
    ("直樹", "naoki"),
    ("由美", "yumi"),
    ("悠人", "yuto"),
    ("彩", "aya"),
    ("誠", "makoto"),
    ("真由美", "mayumi"),
    ("亮", "ryo"),
    ("恵", "megumi"),
    ("颯", "hayate"),
    ("千尋", "chihiro"),
]
COMPANY_STEMS = [
    ("さくら", "Sakura"),
    ("みなと", "Minato"),
    ("あおば", "Aoba"),
    ("ひかり", "Hikari"),
    ("つばさ", "Tsubasa"),
    ("こだま", "Kodama"),
    ("はやぶさ", "Hayabusa"),
    ("ことぶき", "Kotobuki"),
    ("いろは", "Iroha"),
    ("やまびこ", "Yamabiko"),
    ("しらかば", "Shirakaba"),
    ("なごみ", "Nagomi"),
    ("あかつき", "Akatsuki"),
    ("かがやき", "Kagayaki"),
    ("ゆずりは", "Yuzuriha"),
    ("すばる", "Subaru"),
]
COMPANY_KINDS = [
    ("ウェブ", "Web"),
    ("デジタル", "Digital"),
    ("コマース", "Commerce"),
    ("システムズ", "Systems"),
    ("ラボ", "Lab"),
    ("クリエイティブ", "Creative"),
    ("テクノロジー", "Technology"),
    ("ソリューションズ", "Solutions"),
    ("ネットワークス", "Networks"),
    ("デザイン", "Design"),
]


def person_name(rng: random.Random) -> tuple[str, str]:
    """A Japanese full name and its romaji, e.g. ('佐藤 翔太', 'shota.sato')."""
    surname, surname_romaji = rng.choice(SURNAMES)
    given, given_romaji = rng.choice(GIVEN_NAMES)
    return f"{surname} {given}", f"{given_romaji}.{surname_romaji}"


def company_name(rng: random.Random, index: int) -> tuple[str, str]:
    """A plausible integrator name and a slug, unique by index."""
    stem, stem_en = COMPANY_STEMS[index % len(COMPANY_STEMS)]
    kind, kind_en = COMPANY_KINDS[(index // len(COMPANY_STEMS)) % len(COMPANY_KINDS)]
    legal = rng.choices(["株式会社", "合同会社", "有限会社"], weights=[8, 2, 1])[0]
    suffix = index // (len(COMPANY_STEMS) * len(COMPANY_KINDS))
    number = f"{suffix + 1}" if suffix else ""
    name = f"{legal}{stem}{kind}{number}" if legal != "有限会社" else f"{stem}{kind}{number}{legal}"
    return name, f"{stem_en}-{kind_en}{number and '-' + number}".lower()

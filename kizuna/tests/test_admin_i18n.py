"""The admin speaks the reader's language: app and model names, field labels and help,
choices, column headers, filter titles, actions and fieldsets are Japanese on a Japanese
admin and English on an English one."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import model_format_dict
from django.db import models
from django.test import RequestFactory
from django.utils import translation
from lxml import html

from conftest import PASSWORD
from kizuna.core.tests.browser import sign_in

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
# Words a Japanese admin writes as they are: names of products and standards, and
# abbreviations Japanese business software leaves in Latin letters.
SAME_IN_JAPANESE = {
    "API",
    "Atom",
    "A",
    "B",
    "CES",
    "CVE",
    "CVSS",
    "CSV",
    "Doorkeeper",
    "ETag",
    "GitHub",
    "Gone",  # the HTTP status phrase "410 Gone"
    "HTML",
    "ID",
    "IP",
    "JVN",
    "KPI",
    "LINE",
    "LT",
    "NPS",
    "PDF",
    "RSS",
    "SNS",
    "Slack",
    "URL",
    "Web",
    "Webhook",
    "connpass",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# Each language is named in its own language, whatever the reader's.
LANGUAGE_NAMES = {name for _code, name in settings.LANGUAGES}


def reads_as_japanese(text: str) -> bool:
    text = text.replace(settings.KIZUNA_ECOSYSTEM_NAME, "")
    return text in LANGUAGE_NAMES or all(word in SAME_IN_JAPANESE for word in WORD.findall(text))


def _fields(model: type[models.Model]) -> Iterator[Any]:
    """The model's own fields (the reverse side of a relation is the other model's)."""
    return (f for f in model._meta.get_fields() if not f.auto_created or f.concrete)


def _model_labels(model: type[models.Model]) -> Iterator[tuple[str, Any]]:
    opts = model._meta
    yield "app", apps.get_app_config(opts.app_label).verbose_name
    yield "verbose_name", opts.verbose_name
    yield "verbose_name_plural", opts.verbose_name_plural
    for field in _fields(model):
        yield f"field {field.name}", field.verbose_name
        if field.help_text:
            yield f"help_text {field.name}", field.help_text
        for _value, label in getattr(field, "flatchoices", None) or []:
            yield f"choice of {field.name}", label


def _admin_labels(model: type[models.Model], model_admin: Any, request: Any) -> Iterator[Any]:
    yield from _model_labels(model)
    for inline in model_admin.get_inline_instances(request):
        for where, label in _model_labels(inline.model):
            yield f"inline {inline.model._meta.label} {where}", label
    changelist = model_admin.get_changelist_instance(request)
    for header in result_headers(changelist):
        if "action-checkbox-column" not in str(header["class_attrib"]):
            yield "column", header["text"]
    for spec in changelist.filter_specs:
        yield "filter", spec.title
    for _func, _name, description in model_admin.get_actions(request).values():
        yield "action", description % model_format_dict(model._meta)
    if model_admin.fieldsets:
        for title, _options in model_admin.get_fieldsets(request):
            if title:
                yield "fieldset", title


def _labels(alice: Any, language: str) -> list[tuple[str, str, str]]:
    request = RequestFactory().get("/admin/")
    request.user = alice
    with translation.override(language):
        return [
            (model._meta.label, where, str(label))
            for model, model_admin in admin.site._registry.items()
            for where, label in _admin_labels(model, model_admin, request)
        ]


@pytest.mark.django_db
def test_every_admin_label_is_japanese_on_a_japanese_admin(alice):
    english = [label for label in _labels(alice, "ja") if not reads_as_japanese(label[2])]
    assert english == [], (
        "Wrap these in gettext_lazy (verbose_name, help_text, choices, "
        "@admin.display(description=...)) and translate them in the app's ja catalog "
        "(bin/i18n): " + "\n".join(map(str, english))
    )


@pytest.mark.django_db
def test_every_admin_label_is_english_on_an_english_admin(alice):
    japanese = [
        label
        for label in _labels(alice, "en")
        if JAPANESE.search(label[2]) and label[2] not in LANGUAGE_NAMES
    ]
    assert japanese == []


def test_reads_as_japanese_can_fail():
    assert reads_as_japanese("パートナー ID")
    assert reads_as_japanese("Slack ID")
    assert reads_as_japanese(f"{settings.KIZUNA_ECOSYSTEM_NAME} 管理画面")
    assert not reads_as_japanese("created at")
    assert not reads_as_japanese("作成 at")


def _texts(page: Any, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in page.xpath(xpath)]


def _english_labels(client: Any, path: str) -> list[tuple[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    page = html.fromstring(response.content)
    labels = _texts(page, "//div[@id='content']//caption")
    labels += _texts(page, "//div[@id='content']//th[@scope='row']")
    labels += _texts(page, "//div[@id='content']/h1")
    labels += _texts(page, "//div[@id='site-name']")
    labels += _texts(page, "//table[@id='result_list']/thead//th[not(contains(@class,'action'))]")
    labels += _texts(page, "//div[@id='changelist-filter']//summary")
    labels += _texts(page, "//select[@name='action']/option[@value!='']")
    return [(path, text) for text in labels if text and not reads_as_japanese(text)]


@pytest.mark.django_db
def test_the_japanese_admin_index_and_lists_show_no_english_label(client, alice):
    client.force_login(alice)
    paths = ["/admin/"]
    paths += sorted({f"/admin/{model._meta.app_label}/" for model in admin.site._registry})
    paths += [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    ]
    english = [label for path in paths for label in _english_labels(client, path)]
    assert english == []


@pytest.mark.django_db
def test_the_english_admin_index_is_english(client, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    page = html.fromstring(client.get("/admin/").content)
    captions = _texts(page, "//div[@id='content']//caption")
    assert "Partner program" in captions
    assert _texts(page, "//div[@id='site-name']") == [f"{settings.KIZUNA_ECOSYSTEM_NAME} admin"]
    assert not any(JAPANESE.search(text) for text in captions)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_alice_reads_the_admin_in_japanese(page, alice):
    sign_in(page, "alice@example.com", PASSWORD)
    page.wait_for_load_state()
    page.goto("/admin/partners/achievement/")
    headers = page.locator("#result_list thead th, #changelist-filter summary").all_inner_texts()
    page.goto("/admin/")
    captions = page.locator("#content caption, #content th[scope=row]").all_inner_texts()
    assert "パートナープログラム" in captions
    english = [text for text in [*headers, *captions] if not reads_as_japanese(text.strip())]
    assert english == []

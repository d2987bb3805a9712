import pytest
from django.urls import reverse

from kizuna.core.i18n_check import conflicting_messages, untranslated_messages


def test_every_japanese_message_is_translated():
    assert untranslated_messages("ja") == []


def test_every_english_message_is_present():
    assert untranslated_messages("en") == []


@pytest.mark.django_db
def test_pages_are_japanese_by_default_and_english_after_switching(client):
    assert "サインイン" in client.get(reverse("accounts:login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in" in page
    assert '<html lang="en">' in page


def test_one_message_has_one_japanese_translation_across_apps():
    # Django merges the apps' catalogs: where two apps disagree, one of them shows the
    # other's word. A different meaning needs a context (pgettext), not a second wording.
    assert conflicting_messages("ja") == []

"""Branded error pages in the visitor's language: 404, 403, 500 and a refused CSRF check."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path

from kizuna import urls as project_urls
from kizuna.site import errors


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-forbidden/", _forbidden),
    path("test-broken/", _broken),
    *project_urls.urlpatterns,
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def error_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ja", "ページが見つかりません"), ("en", "Page not found")]
)
def test_unknown_page_gets_the_branded_404_in_the_visitors_language(
    client, error_urls, language, heading
):
    response = client.get("/no-such-page/", headers={"accept-language": language})
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="error-404"' in page
    assert heading in page
    assert 'class="site-header"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("ja", "アクセスできません"), ("en", "Access denied")]
)
def test_forbidden_page_gets_the_branded_403(client, error_urls, language, heading):
    response = client.get("/test-forbidden/", headers={"accept-language": language})
    assert response.status_code == 403
    assert 'id="error-403"' in response.content.decode()
    assert heading in response.content.decode()


def test_api_404_stays_json(client, error_urls, db):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("ja", "フォームの有効期限が切れました"), ("en", "The form has expired")],
)
def test_form_sent_without_a_valid_csrf_token_gets_the_branded_page(language, heading):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "x"}, headers={"accept-language": language}
    )
    assert response.status_code == 403
    assert 'id="error-csrf"' in response.content.decode()
    assert heading in response.content.decode()


def test_server_error_page_renders_without_a_database_or_request_context(settings):
    # No django_db mark: any database query here fails the test.
    settings.KIZUNA_ECOSYSTEM_NAME = "EC-CUBE Partners"
    response = errors.server_error(RequestFactory().get("/partners/portal/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert 'id="error-500"' in page
    assert "EC-CUBE Partners" in page


@pytest.mark.parametrize(
    ("language", "heading"), [("ja", "エラーが発生しました"), ("en", "Something went wrong")]
)
def test_server_error_page_follows_the_active_language(language, heading):
    from django.utils import translation

    with translation.override(language):
        page = errors.server_error(RequestFactory().get("/")).content.decode()
    assert f'lang="{language}"' in page
    assert heading in page


def test_server_error_under_the_api_answers_json():
    response = errors.server_error(RequestFactory().get("/api/v1/partners"))
    assert response.status_code == 500
    assert b'"server_error"' in response.content


@pytest.mark.django_db
def test_an_exception_in_a_page_gets_the_branded_500(error_urls):
    client = Client(raise_request_exception=False)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    assert 'id="error-500"' in response.content.decode()

import pytest


@pytest.mark.parametrize(
    "url", ["/directory/?q=a%00b", "/billing/staff/accounts/?q=%00", "/no-such-page%00"]
)
def test_a_page_request_with_a_nul_character_is_400(client, url):
    assert client.get(url).status_code == 400


def test_a_posted_form_with_a_nul_character_is_400(client):
    response = client.post(
        "/accounts/login/",
        "email=a%00%40example.com&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_page_request_without_nul_goes_through(client):
    assert client.get("/directory/?q=web").status_code == 200

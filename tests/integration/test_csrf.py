"""Every state-changing route refuses a request without a CSRF token, whoever sends it."""
import pytest
from conftest import login
from flask import url_for


def _url(app, rule, values):
    with app.test_request_context():
        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.fixture
def post_routes(app):
    return sorted(((rule.endpoint, rule) for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())),
                  key=lambda pair: pair[0])


def test_every_post_route_requires_a_csrf_token(app, make_user, post_routes):
    admin = make_user("admin", None)
    values = {"user_id": admin.id, "grant_id": admin.grants[0].id, "municipality_id": 1, "country_code": "MA",
              "token": "x", "filename": "x", "lang": "fr"}
    anonymous = app.test_client()
    signed_in = login(app.test_client(), admin)
    assert post_routes, "no POST route found"
    for endpoint, rule in post_routes:
        url = _url(app, rule, {**values, **{arg: 1 for arg in rule.arguments if arg not in values}})
        for client in (anonymous, signed_in):
            response = client.post(url, data={"email": "a@example.org", "password": "x"})
            assert response.status_code == 400, f"POST {url} ({endpoint}) without a token answered {response.status_code}"
            assert "form expired" in response.get_data(as_text=True).lower() or "expir" in response.get_data(as_text=True)

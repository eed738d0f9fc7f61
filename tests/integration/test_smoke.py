"""First look: pages answer, in the right language and direction."""


def test_login_page_in_french_by_default(client, places):
    response = client.get("/login", headers={"Accept-Language": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html


def test_arabic_is_right_to_left(client, places):
    html = client.get("/login?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    # remembered in the session
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)

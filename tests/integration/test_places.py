"""Coordinators manage the municipalities of their countries; reference data loads idempotently."""
import io

import sqlalchemy as sa
from conftest import csrf_token, municipality

from recosa_learn.places.models import Country, Municipality, Region
from recosa_learn.places.services import load_reference_data


def test_reference_data_loads_once(app, db, places):
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Country, Region, Municipality)]
    summary = load_reference_data()
    db.session.commit()
    assert (summary.countries, summary.regions, summary.municipalities) == (0, 0, 0)
    assert counts == [4, 60, 26]


def test_options_narrow_by_country_and_region(client, places):
    data = client.get("/places/options?country=ML").get_json()
    assert len(data["regions"]) == 20 and data["municipalities"] == []
    bamako = municipality("ML-BAMAKO")
    data = client.get(f"/places/options?country=ML&region={bamako.region.code}").get_json()
    assert [m["label"] for m in data["municipalities"]] == ["Bamako"]
    assert client.get("/places/options?country=ZZ").get_json() == {"regions": [], "municipalities": []}
    arabic = client.get(f"/places/options?country=MA&lang=ar").get_json()
    assert any(r["label"] == "الشرق" for r in arabic["regions"])


def test_coordinator_adds_edits_and_deactivates_a_municipality(login_as, db):
    client, _ = login_as("coordinator", "SN")
    token = csrf_token(client, "/places/SN/municipalities/new")
    kaolack = municipality("SN-KAOLACK").region
    response = client.post("/places/SN/municipalities/new", data={
        "region": kaolack.code, "name_fr": "Nioro du Rip", "name_en": "Nioro du Rip", "name_ar": "نيورو دو ريب",
        "csrf_token": token})
    assert response.status_code == 302
    town = db.session.scalar(sa.select(Municipality).where(Municipality.name_fr == "Nioro du Rip"))
    assert town.code == "SN-NIORO-DU-RIP" and town.region_id == kaolack.id
    # a duplicate name in the same region is refused with a message
    again = client.post("/places/SN/municipalities/new?lang=en", data={"region": kaolack.code, "name_fr": "Nioro du Rip",
                                                               "csrf_token": token})
    assert again.status_code == 400 and "already exists" in again.get_data(as_text=True)
    edit = client.post(f"/places/municipalities/{town.id}/edit", data={
        "region": kaolack.code, "name_fr": "Nioro-du-Rip", "name_en": "", "name_ar": "", "csrf_token": token})
    assert edit.status_code == 302
    assert client.post(f"/places/municipalities/{town.id}/active", data={"active": "0", "csrf_token": token}
                       ).status_code == 302
    db.session.refresh(town)
    assert town.name_fr == "Nioro-du-Rip" and town.name_en == "Nioro-du-Rip" and not town.is_active
    # a region of another country is refused
    oujda_region = municipality("MA-OUJDA").region.code
    wrong = client.post("/places/SN/municipalities/new", data={"region": oujda_region, "name_fr": "X",
                                                               "csrf_token": token})
    assert wrong.status_code == 400


def test_coordinator_cannot_touch_another_country(login_as):
    client, _ = login_as("coordinator", "SN")
    token = csrf_token(client, "/profile")
    oujda = municipality("MA-OUJDA")
    assert client.get("/places/MA").status_code == 403
    assert client.post(f"/places/municipalities/{oujda.id}/active", data={"active": "0", "csrf_token": token}
                       ).status_code == 403
    assert client.get("/places/ZZ").status_code == 404


def _upload(client, text: str, encoding="utf-8-sig"):
    token = csrf_token(client, "/places/SN/import")
    return client.post("/places/SN/import?lang=en", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(text.encode(encoding)), "towns.csv")})


def test_csv_import_creates_municipalities(login_as, db):
    client, _ = login_as("coordinator", "SN")
    response = _upload(client, "region;name_fr;name_en;name_ar\nSN-KL;Nioro du Rip;Nioro du Rip;نيورو دو ريب\n"
                               "Dakar;Rufisque;Rufisque;روفيسك\nSN-KL;Kaolack;;\n")
    assert response.status_code == 302, response.get_data(as_text=True)
    names = set(db.session.scalars(sa.select(Municipality.name_fr)))
    assert {"Nioro du Rip", "Rufisque"} <= names


def test_csv_import_with_one_bad_line_changes_nothing(login_as, db):
    client, _ = login_as("coordinator", "SN")
    before = db.session.scalar(sa.select(sa.func.count(Municipality.id)))
    response = _upload(client, "SN-KL;Nioro du Rip\nAtlantis;Nowhere\nSN-KL\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Line 2:" in html and "Unknown region" in html and "Line 3:" in html
    assert db.session.scalar(sa.select(sa.func.count(Municipality.id))) == before


def test_csv_import_rejects_a_binary_file(login_as):
    client, _ = login_as("coordinator", "SN")
    response = _upload(client, "region;name\n", encoding="utf-16")
    assert response.status_code == 400 and "UTF-8" in response.get_data(as_text=True)


def test_places_pages_have_constant_queries(login_as, queries):
    client, _ = login_as("coordinator", None)
    with queries() as index:
        assert client.get("/places/").status_code == 200
    with queries() as country:
        assert client.get("/places/ML").status_code == 200
    assert len(index) <= 6 and len(country) <= 6

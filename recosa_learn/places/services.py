"""Places: loading the shipped reference data, cascading choices, and municipality edits and CSV import."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.forms import options
from ..extensions import db
from .models import Country, Municipality, Region

DATA_FILE = Path(__file__).parent / "data" / "places.yaml"


class PlaceError(ValueError):
    """A user-facing refusal (already translated)."""


@dataclass
class LoadSummary:
    countries: int = 0
    regions: int = 0
    municipalities: int = 0


def load_reference_data(path: Path = DATA_FILE, *, with_municipalities: bool = True) -> LoadSummary:
    """Upsert countries and regions (and the starter municipalities) by code; never deletes anything."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = LoadSummary()
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
    for position, entry in enumerate(data["countries"]):
        country = countries.get(entry["code"]) or Country(code=entry["code"])
        if country.code not in countries:
            db.session.add(country)
            summary.countries += 1
        _set_names(country, entry["names"])
        country.default_language = entry["default_language"]
        country.languages = ",".join(entry["languages"])
        country.position = position
        for lang in ("fr", "en", "ar"):
            setattr(country, f"region_label_{lang}", entry["region_label"][lang])
        for region_entry in entry["regions"]:
            region = regions.get(region_entry["code"])
            if region is None:
                region = Region(code=region_entry["code"], country=country)
                db.session.add(region)
                summary.regions += 1
            _set_names(region, region_entry["names"])
            if not with_municipalities:
                continue
            for town in region_entry.get("municipalities") or []:
                if town["code"] in municipalities:
                    continue
                municipality = Municipality(code=town["code"], region=region)
                _set_names(municipality, town["names"])
                db.session.add(municipality)
                municipalities[town["code"]] = municipality
                summary.municipalities += 1
    db.session.flush()
    return summary


def _set_names(obj: object, names: dict[str, str]) -> None:
    for lang in ("fr", "en", "ar"):
        setattr(obj, f"name_{lang}", names.get(lang) or names["fr"])


# --- cascading choices (registration, forms) ----------------------------------------------------

@dataclass
class PlaceChoices:
    """Country → region → municipality options for a form, narrowed by what is already chosen."""

    lang: str
    countries: list[Country] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)

    def as_form_choices(self) -> tuple[list, list, list]:
        blank = [("", "—")]
        return (
            options(blank + [(c.code, c.name(self.lang)) for c in self.countries]),
            options(blank + [(r.code, r.name(self.lang)) for r in self.regions]),
            options(blank + [(str(m.id), m.name(self.lang)) for m in self.municipalities]),
        )

    def municipality(self, value: Optional[str]) -> Optional[Municipality]:
        return next((m for m in self.municipalities if str(m.id) == (value or "")), None)


def place_choices(country_code: Optional[str], region_code: Optional[str], lang: str) -> PlaceChoices:
    """Three queries at most, whatever the number of places."""
    from ..i18n import current_language

    lang = current_language() or lang
    choices = PlaceChoices(lang=lang)
    choices.countries = list(db.session.scalars(select(Country).order_by(Country.position)))
    if country_code and any(c.code == country_code for c in choices.countries):
        choices.regions = list(db.session.scalars(
            select(Region).where(Region.country_code == country_code, Region.is_active.is_(True))
            .order_by(getattr(Region, f"name_{lang}", Region.name_fr))))
        if region_code and any(r.code == region_code for r in choices.regions):
            choices.municipalities = list(db.session.scalars(
                select(Municipality).join(Region)
                .where(Region.code == region_code, Municipality.is_active.is_(True))
                .order_by(getattr(Municipality, f"name_{lang}", Municipality.name_fr))))
    return choices


# --- municipalities -----------------------------------------------------------------------------

def slug_code(country_code: str, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Z0-9]+", "-", ascii_name.upper()).strip("-")[:30] or "M"
    base = f"{country_code}-{slug}"
    code, n = base, 2
    while db.session.scalar(select(Municipality.id).where(Municipality.code == code)):
        code, n = f"{base}-{n}", n + 1
    return code


def save_municipality(municipality: Optional[Municipality], region: Region, names: dict[str, str]) -> Municipality:
    """Create or rename a municipality; refuses a duplicate French name in the same region."""
    names = {lang: (value or "").strip() for lang, value in names.items()}
    if not names.get("fr"):
        raise PlaceError(_("The French name is required."))
    clash = db.session.scalar(select(Municipality.id).where(
        Municipality.region_id == region.id, Municipality.name_fr == names["fr"],
        Municipality.id != (municipality.id if municipality else -1)))
    if clash:
        raise PlaceError(_("%(name)s already exists in this region.", name=names["fr"]))
    if municipality is None:
        municipality = Municipality(code=slug_code(region.country_code, names["fr"]), region=region)
        db.session.add(municipality)
    municipality.region = region
    _set_names(municipality, names)
    db.session.flush()
    return municipality


@dataclass
class ImportReport:
    created: list[Municipality] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_municipalities_csv(text: str, country: Country) -> ImportReport:
    """Import ``region, name_fr, name_en, name_ar`` lines for one country; a file with any error changes nothing.

    The region may be its code or its name in any language; an already existing municipality is left as it is.
    """
    from ..accounts.services import csv_rows

    report = ImportReport()
    regions = {}
    for region in db.session.scalars(select(Region).where(Region.country_code == country.code)):
        for key in (region.code, region.name_fr, region.name_en, region.name_ar):
            regions[key.casefold()] = region
    existing = {(m.region_id, m.name_fr.casefold()) for m in db.session.scalars(
        select(Municipality).join(Region).where(Region.country_code == country.code))}
    pending: list[tuple[Region, dict[str, str]]] = []
    for number, row in enumerate(csv_rows(text), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells and cells[0].lower() in ("region", "région", "region_code"):
            continue
        if len(cells) < 2 or not cells[1]:
            report.errors.append((number, _("Expected at least two columns: region, French name.")))
            continue
        region = regions.get(cells[0].casefold())
        if region is None:
            report.errors.append((number, _("Unknown region “%(name)s” in %(country)s.",
                                            name=cells[0][:80], country=country.name_fr)))
            continue
        names = {"fr": cells[1][:120], "en": (cells[2] if len(cells) > 2 else "")[:120],
                 "ar": (cells[3] if len(cells) > 3 else "")[:120]}
        key = (region.id, names["fr"].casefold())
        if key in existing:
            report.unchanged += 1
            continue
        existing.add(key)
        pending.append((region, names))
    if report.errors:
        return report
    for region, names in pending:
        report.created.append(save_municipality(None, region, names))
    return report

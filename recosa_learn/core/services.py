"""The home page's summary: the user's roles and, for coordinators, counts per country (SQL aggregates)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.forms import ROLE_LABELS
from ..accounts.models import RoleGrant, User
from ..accounts.permissions import countries_in_scope, scope
from ..extensions import db
from ..places.models import Country, Municipality, Region


@dataclass
class HomeSummary:
    roles: list[str] = field(default_factory=list)
    municipality: Optional[str] = None
    countries: list[dict] = field(default_factory=list)


def role_labels(user: User) -> list[str]:
    labels = {role: str(label) for role, label in ROLE_LABELS.items()}
    out = []
    for grant in user.grants:
        where = grant.country_code or _("all countries")
        out.append(labels[grant.role] if grant.role in ("trainee", "admin") else f"{labels[grant.role]} ({where})")
    return out


def home_summary(user: User, lang: str) -> HomeSummary:
    summary = HomeSummary(roles=role_labels(user))
    if user.municipality:
        summary.municipality = f"{user.municipality.name(lang)}, {user.municipality.region.name(lang)}"
    if not scope(user, "coordinator"):
        return summary
    trainees = dict(db.session.execute(
        select(Region.country_code, func.count(User.id)).select_from(User)
        .join(Municipality, User.municipality_id == Municipality.id).join(Region)
        .where(User.is_active.is_(True)).group_by(Region.country_code)).all())
    trainers = dict(db.session.execute(
        select(RoleGrant.country_code, func.count(RoleGrant.id)).where(RoleGrant.role == "trainer")
        .group_by(RoleGrant.country_code)).all())
    towns = dict(db.session.execute(
        select(Region.country_code, func.count(Municipality.id)).join(Municipality)
        .where(Municipality.is_active.is_(True)).group_by(Region.country_code)).all())
    for country in db.session.scalars(select(Country).where(countries_in_scope(user)).order_by(Country.position)):
        summary.countries.append({"name": country.name(lang), "trainees": trainees.get(country.code, 0),
                                  "trainers": trainers.get(country.code, 0),
                                  "municipalities": towns.get(country.code, 0)})
    return summary

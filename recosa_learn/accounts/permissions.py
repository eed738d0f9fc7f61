"""The permission layer: the one place that says what a user may do and which rows a user may see.

Deny by default. ``can(user, action, obj)`` answers a yes/no question about one object; the ``*_filter``
functions answer "which rows may this user see" as SQL clauses, so lists and statistics can only ever contain
rows in scope. Views use ``require`` (404/403) and the ``permission_required`` gate; templates call ``can``.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..places.models import Country, Municipality, Region
from .models import ROLES, RoleGrant, User

ALL = "*"  #: scope value meaning "every country"


class Scope(frozenset):
    """The set of country codes a user holds a role for; contains ALL for an all-countries grant."""

    @property
    def is_all(self) -> bool:
        return ALL in self

    def covers(self, country_code: Optional[str]) -> bool:
        return self.is_all or (country_code is not None and country_code in self)

    def __or__(self, other: frozenset) -> "Scope":
        return Scope(frozenset.__or__(self, other))

    def __and__(self, other: frozenset) -> "Scope":
        return Scope(frozenset.__and__(self, other))


def scope(user: Any, role: str) -> Scope:
    """Countries in which ``user`` holds ``role`` (an admin holds every role everywhere but trainee)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if role != "trainee" and user.has_role("admin"):
        return Scope({ALL})
    return Scope(ALL if grant.country_code is None else grant.country_code
                 for grant in user.grants if grant.role == role)


def _country_of(obj: Any) -> Optional[str]:
    if isinstance(obj, Country):
        return obj.code
    if isinstance(obj, Region):
        return obj.country_code
    if isinstance(obj, Municipality):
        return obj.region.country_code
    if isinstance(obj, str):
        return obj
    return None


def user_countries(user: User) -> set[str]:
    """Countries a user belongs to: their municipality's and those of their role grants."""
    countries = {grant.country_code for grant in user.grants if grant.country_code}
    if user.country_code:
        countries.add(user.country_code)
    return countries


def _manages_user(actor: Any, target: User) -> bool:
    managed = scope(actor, "coordinator")
    if managed.is_all:
        return True
    return bool(managed & user_countries(target))


def _may_grant(actor: Any, obj: tuple[str, Optional[str]]) -> bool:
    role, country = obj
    if role not in ROLES:
        return False
    if role == "admin" or country is None and role != "trainee":
        return scope(actor, "admin").is_all
    if role == "trainee":
        return bool(scope(actor, "coordinator"))
    return scope(actor, "coordinator").covers(country)


def _is_admin(actor: Any, obj: Any = None) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.is_active and actor.has_role("admin")


#: action -> rule(actor, obj). An action not listed here is denied.
RULES: dict[str, Callable[[Any, Any], bool]] = {
    "admin": _is_admin,
    # places: reference data and municipalities of a country
    "places.manage": lambda u, obj: (
        bool(scope(u, "coordinator")) if obj is None else scope(u, "coordinator").covers(_country_of(obj))
    ),
    # accounts
    "users.list": lambda u, obj: bool(scope(u, "coordinator")),
    "users.manage": lambda u, obj: obj is not None and obj.id != u.id and _manages_user(u, obj),
    "users.invite": lambda u, obj: (
        bool(scope(u, "coordinator") | scope(u, "trainer")) if obj is None
        else (scope(u, "coordinator") | scope(u, "trainer")).covers(_country_of(obj))
    ),
    "roles.grant": _may_grant,
    "audit.view": lambda u, obj: bool(scope(u, "coordinator")),
    # learning: any active account may take courses
    "learn.take": lambda u, obj: True,
    # authoring: obj is a country code for an adaptation, None for the base course (trainers granted on all
    # countries and admins edit base courses; trainers of a country edit that country's adaptation)
    "content.author": lambda u, obj: (
        bool(scope(u, "trainer")) if obj is ALL else scope(u, "trainer").covers(obj) if obj else scope(u, "trainer").is_all
    ),
    "content.review": lambda u, obj: (
        scope(u, "trainer").covers(obj) if obj else scope(u, "trainer").is_all
    ),
    "content.import": _is_admin,
    # statistics: obj is a country code (None: the statistics pages at all)
    "stats.view": lambda u, obj: (
        bool(scope(u, "coordinator")) if obj is None else scope(u, "coordinator").covers(obj)
    ),
    "stats.learner_level": _is_admin,
    "cohorts.manage": lambda u, obj: (
        bool(scope(u, "trainer") | scope(u, "coordinator")) if obj is None
        else (scope(u, "trainer") | scope(u, "coordinator")).covers(obj)
    ),
    "certificates.revoke": lambda u, obj: obj is not None and scope(u, "coordinator").covers(obj),
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` (on ``obj``)? Unknown actions and inactive or anonymous users: no."""
    rule = RULES.get(action)
    if rule is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(rule(user, obj))


def require(action: str, obj: Any = None, *, hide: bool = False) -> None:
    """Abort with 403 (or 404 when ``hide``: the object's existence is not to be revealed)."""
    if not can(current_user, action, obj):
        abort(404 if hide else 403)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (best == "application/json" and request.accept_mimetypes[best] > 0)


def login_required(view: Callable) -> Callable:
    """Coarse gate: anonymous HTML requests go to the login page, JSON requests get 401."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if wants_json():
                abort(401)
            flash(_("Please log in to see this page."), "info")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def permission_required(action: str) -> Callable:
    """Coarse gate: logged in and allowed ``action`` at all (object checks come after loading)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# --- "which rows may this user see" -------------------------------------------------------------

def _country_clause(column: Any, countries: Scope) -> ColumnElement[bool]:
    if countries.is_all:
        return true()
    if not countries:
        return false()
    return column.in_(sorted(countries))


def municipality_filter(user: Any, role: str = "coordinator") -> ColumnElement[bool]:
    """Municipalities in the countries where ``user`` holds ``role`` (use with a join on Region)."""
    return _country_clause(Region.country_code, scope(user, role))


def users_filter(user: Any) -> ColumnElement[bool]:
    """Users a coordinator may see: those living in, or holding a role in, a country in scope."""
    countries = scope(user, "coordinator")
    if countries.is_all:
        return true()
    if not countries:
        return User.id == user.id if getattr(user, "is_authenticated", False) else false()
    codes = sorted(countries)
    in_municipality = User.municipality_id.in_(
        select(Municipality.id).join(Region).where(Region.country_code.in_(codes))
    )
    with_grant = User.id.in_(select(RoleGrant.user_id).where(RoleGrant.country_code.in_(codes)))
    return or_(in_municipality, with_grant)


def countries_in_scope(user: Any, role: str = "coordinator") -> ColumnElement[bool]:
    """Countries where ``user`` holds ``role``, as a filter on Country."""
    return _country_clause(Country.code, scope(user, role))

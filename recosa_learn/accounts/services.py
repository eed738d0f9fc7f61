"""Account operations shared by views and CLI: they take models and plain values, flush, never commit."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMessage
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..extensions import db, utcnow
from ..places.models import Municipality, Region
from .models import AuditEvent, RoleGrant, User


class AccountError(ValueError):
    """A user-facing refusal (already translated)."""


# --- passwords ---------------------------------------------------------------------------------

def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("ARGON2_PARAMS", {}))


def set_password(user: User, password: str) -> None:
    """Hash with Argon2id and sign out the user's other sessions."""
    user.password_hash = _hasher().hash(password)
    user.rotate_session()


def check_password(user: Optional[User], password: str) -> bool:
    """Verify a password; spends the same work for unknown users so timing does not reveal them."""
    hasher = _hasher()
    if user is None or not user.password_hash:
        try:
            hasher.verify(hasher.hash("timing-equaliser"), password + "x")
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def password_problem(password: str, email: str = "") -> Optional[str]:
    """A translated reason why ``password`` is too weak, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Use at least %(n)s characters.", n=minimum)
    if email and password.lower() == email.lower():
        return _("Do not use your email address as password.")
    if len(set(password)) < 4:
        return _("This password is too easy to guess.")
    return None


# --- users -------------------------------------------------------------------------------------

def normalize_email(raw: str) -> str:
    """Validate an address and return it lower-case; raises AccountError with a translated message."""
    try:
        checked = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(_("“%(email)s” is not a valid email address.", email=(raw or "").strip()[:80]))
    return checked.normalized.lower()


def find_user_by_email(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def load_user(user_id: str) -> Optional[User]:
    """Flask-Login loader: the id carries the session salt, so rotated sessions are refused."""
    ident, _sep, salt = (user_id or "").partition(":")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_salt != salt:
        return None
    return user


def create_user(
    *,
    email: str,
    name: str,
    password: Optional[str] = None,
    language: str = "fr",
    municipality: Optional[Municipality] = None,
    roles: Iterable[tuple[str, Optional[str]]] = (),
    invited_by: Optional[User] = None,
    sex: Optional[str] = None,
    age_band: Optional[str] = None,
    profile: Optional[str] = None,
) -> User:
    """Create a user with role grants ``(role, country_code or None)``."""
    email = normalize_email(email)
    if find_user_by_email(email):
        raise AccountError(_("An account with this email address already exists."))
    user = User(
        email=email,
        name=name.strip(),
        language=language,
        municipality=municipality,
        invited_by_id=invited_by.id if invited_by else None,
        sex=sex or None,
        age_band=age_band or None,
        profile=profile or None,
    )
    if password:
        set_password(user, password)
    db.session.add(user)
    for role, country in roles:
        user.grants.append(RoleGrant(role=role, country_code=country, granted_by_id=invited_by.id if invited_by else None))
    db.session.flush()
    return user


def grant_role(user: User, role: str, country: Optional[str], actor: Optional[User]) -> RoleGrant:
    """Add a grant (idempotent) and record it."""
    for grant in user.grants:
        if grant.role == role and grant.country_code == country:
            return grant
    grant = RoleGrant(role=role, country_code=country, granted_by_id=actor.id if actor else None)
    user.grants.append(grant)
    db.session.flush()
    audit(actor, "role.grant", user, country=country, role=role)
    return grant


def revoke_role(user: User, grant: RoleGrant, actor: Optional[User]) -> None:
    user.grants.remove(grant)
    user.rotate_session()
    db.session.flush()
    audit(actor, "role.revoke", user, country=grant.country_code, role=grant.role)


def set_active(user: User, active: bool, actor: Optional[User]) -> None:
    """Deactivate (sign out everywhere, keep every learning record) or reactivate an account."""
    if user.is_active == active:
        return
    user.is_active = active
    user.rotate_session()
    db.session.flush()
    audit(actor, "user.activate" if active else "user.deactivate", user, country=user.country_code)


def audit(actor: Optional[User], action: str, target: Any = None, *, country: Optional[str] = None, **details: Any) -> AuditEvent:
    """Record who did what to which object."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(getattr(target, "id", target)) if target is not None else None,
        country_code=country,
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform stores about a user, for their own download."""
    municipality = user.municipality
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "municipality": municipality.name_fr if municipality else None,
        "region": municipality.region.name_fr if municipality else None,
        "country": user.country_code,
        "sex": user.sex,
        "age_band": user.age_band,
        "profile": user.profile,
        "roles": [{"role": g.role, "country": g.country_code or "all"} for g in user.grants],
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "is_active": user.is_active,
    }


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


# --- tokens (invitations, password reset) ------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"recosa-learn.{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A signed token bound to the user's current password/session state, so it works once."""
    return _serializer(purpose).dumps({"uid": user.id, "s": user.session_salt})


def user_from_token(token: str, purpose: str, max_age: int) -> Optional[User]:
    """The user a valid, unexpired, unused token names; None otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or not user.is_active or user.session_salt != data.get("s"):
        return None
    return user


# --- mail ---------------------------------------------------------------------------------------

def send_mail(to: str, subject: str, template: str, lang: str, **context: Any) -> None:
    """Send one message in the recipient's language: by SMTP when configured, otherwise to the log."""
    with force_locale(lang):
        body = render_template(template, **context)
        subject_text = str(subject)
    message = EmailMessage(subject=subject_text, body=body, to=[to])
    if current_app.config.get("MAIL_BACKEND") == "console":
        current_app.logger.info("Mail to %s: %s\n%s", to, subject_text, body)
        return
    message.send()


def send_invitation(user: User, inviter: Optional[User]) -> str:
    token = make_token(user, "invite")
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    send_mail(user.email, _l("You are invited to recosa_learn"), "accounts/mail/invitation.txt",
              user.language, user=user, inviter=inviter, link=link)
    return link


def send_password_reset(user: User) -> str:
    token = make_token(user, "reset")
    link = url_for("accounts.reset_password", token=token, _external=True)
    send_mail(user.email, _l("Reset your recosa_learn password"), "accounts/mail/reset.txt",
              user.language, user=user, link=link)
    return link


# --- invitations from CSV ----------------------------------------------------------------------

@dataclass
class InviteRow:
    line: int
    name: str
    email: str
    municipality: Municipality


@dataclass
class InviteReport:
    rows: list[InviteRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def parse_invitations(text: str, allowed_countries: Any) -> InviteReport:
    """Read ``name, email, municipality`` lines (CSV with , or ; — header optional).

    Every line is checked before anything is saved; ``allowed_countries`` is a permissions Scope.
    The municipality may be given by its code or its name in any language.
    """
    report = InviteReport()
    seen: set[str] = set()
    municipalities = _municipality_index()
    for number, row in enumerate(csv_rows(text), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] in (["name", "email"], ["nom", "email"], ["nom", "e-mail"]):
            continue
        if len(cells) < 3:
            report.errors.append((number, _("Expected three columns: name, email, municipality.")))
            continue
        name, raw_email, place = cells[:3]
        if not name:
            report.errors.append((number, _("The name is empty.")))
            continue
        try:
            email = normalize_email(raw_email)
        except AccountError as error:
            report.errors.append((number, str(error)))
            continue
        if email in seen:
            report.errors.append((number, _("%(email)s appears twice in the file.", email=email)))
            continue
        seen.add(email)
        if find_user_by_email(email):
            report.errors.append((number, _("%(email)s already has an account.", email=email)))
            continue
        municipality = municipalities.get(place.casefold())
        if municipality is None:
            report.errors.append((number, _("Unknown municipality “%(name)s”.", name=place[:80])))
            continue
        if not allowed_countries.covers(municipality.region.country_code):
            report.errors.append((number, _("You may not invite people in %(name)s.", name=municipality.name_fr)))
            continue
        report.rows.append(InviteRow(number, name[:120], email, municipality))
    return report


def csv_rows(text: str):
    """CSV lines separated by commas or semicolons, decided line by line (people paste from many tools)."""
    for line in io.StringIO(text):
        line = line.replace("\u061b", ";").replace("\u060c", ",")  # Arabic semicolon and comma
        delimiter = ";" if line.count(";") > line.count(",") else ","
        yield next(csv.reader([line], delimiter=delimiter), [])


def _municipality_index() -> dict[str, Municipality]:
    index: dict[str, Municipality] = {}
    rows = db.session.scalars(select(Municipality).join(Region).where(Municipality.is_active.is_(True)))
    for municipality in rows:
        for key in (municipality.code, municipality.name_fr, municipality.name_en, municipality.name_ar):
            index.setdefault(key.casefold(), municipality)
    return index


def invite_people(report: InviteReport, inviter: User) -> list[User]:
    """Create trainee accounts without passwords and mail each a one-time link."""
    users = []
    for row in report.rows:
        country = row.municipality.region.country_code
        user = create_user(email=row.email, name=row.name, municipality=row.municipality,
                           language=_country_language(country), roles=[("trainee", None)], invited_by=inviter)
        users.append(user)
    audit(inviter, "users.invite", None, count=len(users))
    for user in users:
        send_invitation(user, inviter)
    return users


def _country_language(country_code: str) -> str:
    from ..places.models import Country

    country = db.session.get(Country, country_code)
    return country.default_language if country else "fr"


def count_users(clause: Any) -> int:
    return db.session.scalar(select(func.count(User.id)).where(clause)) or 0

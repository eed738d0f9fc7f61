"""Users, their role grants with country scope, and the audit trail."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Optional

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, utcnow
from ..places.models import Municipality

ROLES = ("trainee", "trainer", "coordinator", "admin")
SEXES = ("female", "male", "other", "undisclosed")
AGE_BANDS = ("under-18", "18-24", "25-34", "35-44", "45-54", "55-plus", "undisclosed")
PROFILES = ("municipal-staff", "civil-society", "youth", "migrant", "returnee", "other", "undisclosed")


def _new_session_salt() -> str:
    return secrets.token_urlsafe(12)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IS NULL OR {column} IN ({quoted})"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("sex", SEXES), name="sex"),
        CheckConstraint(_in("age_band", AGE_BANDS), name="age_band"),
        CheckConstraint(_in("profile", PROFILES), name="profile"),
        CheckConstraint("language IN ('fr', 'en', 'ar')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  #: always stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))  #: None until an invitation is accepted
    language: Mapped[str] = mapped_column(String(5), default="fr")
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: optional monitoring fields (programme reporting disaggregates by them); None = not answered
    sex: Mapped[Optional[str]] = mapped_column(String(20))
    age_band: Mapped[Optional[str]] = mapped_column(String(20))
    profile: Mapped[Optional[str]] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: rotated on password change or deactivation, which signs out every other session of the user
    session_salt: Mapped[str] = mapped_column(String(32), default=_new_session_salt)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[Optional[datetime]]

    municipality: Mapped[Optional[Municipality]] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        lazy="selectin",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.user_id",
        order_by="RoleGrant.id",
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_salt}"

    def rotate_session(self) -> None:
        self.session_salt = _new_session_salt()

    @property
    def country_code(self) -> Optional[str]:
        """The country of the user's municipality (trainees), if any."""
        return self.municipality.region.country_code if self.municipality else None

    def has_role(self, role: str) -> bool:
        return any(grant.role == role for grant in self.grants)

    @property
    def role_names(self) -> list[str]:
        return [role for role in ROLES if self.has_role(role)]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleGrant(db.Model):
    """A role held by a user, limited to one country, or to all countries when ``country_code`` is None."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "country_code"),
        CheckConstraint("role IN ('trainee', 'trainer', 'coordinator', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[Optional[str]] = mapped_column(ForeignKey("countries.code"), index=True)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])


class AuditEvent(db.Model):
    """Who changed content, roles or accounts, or exported data, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)  #: e.g. "role.grant", "user.deactivate"
    target_type: Mapped[Optional[str]] = mapped_column(String(40))
    target_id: Mapped[Optional[str]] = mapped_column(String(80))
    country_code: Mapped[Optional[str]] = mapped_column(String(2), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[Optional[User]] = relationship()

"""Countries, their first-level regions and municipalities (reference data, editable by coordinators)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, utcnow


class NamedMixin:
    """Names in the platform's three languages, with French as the fallback."""

    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))

    def name(self, lang: str = "fr") -> str:
        return getattr(self, f"name_{lang}", None) or self.name_fr


class Country(NamedMixin, db.Model):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)  #: ISO 3166-1 alpha-2
    default_language: Mapped[str] = mapped_column(String(5), default="fr")
    languages: Mapped[str] = mapped_column(String(40), default="fr")  #: comma-separated, in order of preference
    region_label_fr: Mapped[str] = mapped_column(String(40), default="Région")
    region_label_en: Mapped[str] = mapped_column(String(40), default="Region")
    region_label_ar: Mapped[str] = mapped_column(String(40), default="جهة")
    position: Mapped[int] = mapped_column(default=0)

    regions: Mapped[list[Region]] = relationship(back_populates="country", order_by="Region.name_fr")

    def region_label(self, lang: str = "fr") -> str:
        return getattr(self, f"region_label_{lang}", None) or self.region_label_fr

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class Region(NamedMixin, db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  #: ISO 3166-2 where one exists
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    country: Mapped[Country] = relationship(back_populates="regions")
    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name_fr"
    )


class Municipality(NamedMixin, db.Model):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("region_id", "name_fr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship(back_populates="municipalities")

    @property
    def country_code(self) -> str:
        return self.region.country_code

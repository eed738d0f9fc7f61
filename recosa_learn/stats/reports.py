"""Scheduled monthly reports: a coordinator subscribes to an XLSX per country or municipality.

``send_scheduled`` (``flask stats send-scheduled``, run by cron) builds last month's report for every
subscription not yet served, with the subscriber's own rights (suppression on), and mails it as an attachment —
or, when no SMTP server is configured, writes it to ``STATS_REPORT_DIR``.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import can
from ..accounts.services import audit
from ..extensions import db
from ..places.models import Country, Municipality
from . import exports, services
from .models import ReportSubscription


def subscribe(user: User, country: Country, municipality: Municipality | None) -> ReportSubscription:
    """Subscribe (idempotent); the place must be in the user's statistics scope (checked by the caller)."""
    existing = db.session.scalar(select(ReportSubscription).where(
        ReportSubscription.user_id == user.id, ReportSubscription.country_code == country.code,
        ReportSubscription.municipality_id == (municipality.id if municipality else None)))
    if existing:
        return existing
    subscription = ReportSubscription(user_id=user.id, country_code=country.code,
                                      municipality_id=municipality.id if municipality else None)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def previous_month(today: date) -> tuple[date, date, str]:
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return last.replace(day=1), last, f"{last.year:04d}-{last.month:02d}"


def write_report(actor: Any, filters: services.Filters, path: str, lang: str) -> int:
    """The dashboard of ``filters`` as an XLSX workbook at ``path``; returns the number of data rows."""
    board = services.dashboard(actor, filters, lang, suppress=True)
    tables = {"places": board.places, "courses": board.courses, **board.breakdowns}
    return exports.write_xlsx(path, exports.dashboard_sheets(tables, filters, board.level, board.months), board.k)


def send_scheduled(today: date | None = None, echo: Callable[[str], Any] = print) -> int:
    """Deliver last month's report to every subscription not yet served; returns how many were delivered."""
    since, until, period = previous_month(today or date.today())
    subscriptions = list(db.session.scalars(
        select(ReportSubscription).where((ReportSubscription.last_period.is_(None))
                                         | (ReportSubscription.last_period < period))
        .order_by(ReportSubscription.id)))
    folder = Path(current_app.config.get("STATS_REPORT_DIR") or os.path.join(current_app.instance_path, "reports"))
    by_mail = current_app.config.get("MAIL_BACKEND") != "console"
    delivered = 0
    for subscription in subscriptions:
        user = subscription.user
        if not user.is_active or not can(user, "stats.view", subscription.country_code):
            echo(f"skipped subscription {subscription.id}: {user.email} may no longer see {subscription.country_code}")
            continue
        country = db.session.get(Country, subscription.country_code)
        municipality = subscription.municipality
        filters = services.Filters(since=since, until=until, country=country,
                                   region=municipality.region if municipality else None, municipality=municipality)
        place = municipality.code if municipality else subscription.country_code
        name = f"recosa-report-{place.lower()}-{period}.xlsx"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (name if not by_mail else f".{subscription.id}-{name}")
        rows = write_report(user, filters, str(path), user.language)
        if by_mail:
            with force_locale(user.language):
                subject = _("Monthly report %(period)s — %(place)s", period=period, place=place)
                body = _("Please find attached the training report for %(place)s, %(period)s. Counts below "
                         "%(k)s are shown as “<%(k)s”.", place=place, period=period, k=services.min_cell())
            message = EmailMessage(subject=subject, body=body, to=[user.email])
            message.attach(name, path.read_bytes(), exports.MIMETYPES["xlsx"])
            message.send()
            path.unlink()
            echo(f"mailed {name} to {user.email}")
        else:
            echo(f"wrote {path}")
        subscription.last_period = period
        audit(None, "stats.report", subscription, country=subscription.country_code, period=period, rows=rows,
              recipient=user.id, delivery="mail" if by_mail else "folder")
        delivered += 1
    db.session.flush()
    return delivered

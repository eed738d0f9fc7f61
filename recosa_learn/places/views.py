"""Places: cascading options for forms, and coordinators' management of municipalities."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.forms import ConfirmForm
from ..accounts.permissions import countries_in_scope, permission_required, require
from ..accounts.services import audit
from ..core.forms import options as select_options
from ..extensions import db
from ..i18n import current_language
from .forms import MunicipalityForm, MunicipalityImportForm
from .models import Country, Municipality, Region
from .services import (
    PlaceError,
    import_municipalities_csv,
    place_choices,
    save_municipality,
)

bp = Blueprint("places", __name__, url_prefix="/places")


@bp.route("/options")
def options():
    """Regions of ``country`` and municipalities of ``region``, for the progressive-enhancement selects."""
    choices = place_choices(request.args.get("country"), request.args.get("region"), current_language())
    return jsonify(
        regions=[{"value": r.code, "label": r.name(choices.lang)} for r in choices.regions],
        municipalities=[{"value": str(m.id), "label": m.name(choices.lang)} for m in choices.municipalities],
    )


@bp.route("/")
@permission_required("places.manage")
def index():
    counts = dict(db.session.execute(
        select(Region.country_code, func.count(Municipality.id))
        .join(Municipality, Municipality.region_id == Region.id)
        .where(Municipality.is_active.is_(True)).group_by(Region.country_code)).all())
    countries = db.session.scalars(
        select(Country).where(countries_in_scope(current_user)).order_by(Country.position)
        .options(db.selectinload(Country.regions))).all()
    return render_template("places/index.html", countries=countries, counts=counts)


def _country(code: str) -> Country:
    country = db.session.get(Country, code.upper())
    if country is None:
        abort(404)
    require("places.manage", country)
    return country


@bp.route("/<country_code>")
@permission_required("places.manage")
def country(country_code: str):
    country = _country(country_code)
    regions = db.session.scalars(
        select(Region).where(Region.country_code == country.code).order_by(Region.code)
        .options(db.selectinload(Region.municipalities))).all()
    return render_template("places/country.html", country=country, regions=regions, confirm=ConfirmForm())


def _region_choices(form: MunicipalityForm, country: Country) -> None:
    lang = current_language()
    form.region.choices = select_options((r.code, r.name(lang)) for r in db.session.scalars(
        select(Region).where(Region.country_code == country.code).order_by(Region.code)))


def _save(form: MunicipalityForm, country: Country, municipality: Municipality | None):
    region = db.session.scalar(select(Region).where(Region.code == form.region.data,
                                                    Region.country_code == country.code))
    if region is None:
        form.region.errors = [_("Choose a region.")]
        return None
    try:
        saved = save_municipality(municipality, region, {"fr": form.name_fr.data or "", "en": form.name_en.data or "",
                                                         "ar": form.name_ar.data or ""})
    except PlaceError as error:
        form.name_fr.errors = [str(error)]
        return None
    audit(current_user, "municipality.create" if municipality is None else "municipality.edit", saved,
          country=country.code, name=saved.name_fr)
    db.session.commit()
    flash(_("%(name)s is saved.", name=saved.name(current_language())), "success")
    return redirect(url_for("places.country", country_code=country.code))


@bp.route("/<country_code>/municipalities/new", methods=["GET", "POST"])
@permission_required("places.manage")
def new_municipality(country_code: str):
    country = _country(country_code)
    form = MunicipalityForm()
    _region_choices(form, country)
    if form.validate_on_submit() and (response := _save(form, country, None)):
        return response
    return render_template("places/municipality_form.html", form=form, country=country, municipality=None), (
        400 if form.is_submitted() else 200)


def _municipality(municipality_id: int) -> Municipality:
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None:
        abort(404)
    require("places.manage", municipality)
    return municipality


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@permission_required("places.manage")
def edit_municipality(municipality_id: int):
    municipality = _municipality(municipality_id)
    country = municipality.region.country
    form = MunicipalityForm(obj=municipality, region=municipality.region.code)
    _region_choices(form, country)
    if form.validate_on_submit() and (response := _save(form, country, municipality)):
        return response
    return render_template("places/municipality_form.html", form=form, country=country,
                           municipality=municipality), (400 if form.is_submitted() else 200)


@bp.route("/municipalities/<int:municipality_id>/active", methods=["POST"])
@permission_required("places.manage")
def set_active(municipality_id: int):
    municipality = _municipality(municipality_id)
    ConfirmForm().validate_on_submit() or abort(400)
    municipality.is_active = request.form.get("active") == "1"
    audit(current_user, "municipality.activate" if municipality.is_active else "municipality.deactivate",
          municipality, country=municipality.region.country_code, name=municipality.name_fr)
    db.session.commit()
    flash(_("%(name)s is active again.", name=municipality.name(current_language())) if municipality.is_active
          else _("%(name)s is deactivated: it no longer appears in forms; its people keep it.",
                 name=municipality.name(current_language())), "success")
    return redirect(url_for("places.country", country_code=municipality.region.country_code))


@bp.route("/<country_code>/import", methods=["GET", "POST"])
@permission_required("places.manage")
def import_csv(country_code: str):
    country = _country(country_code)
    form = MunicipalityImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose a CSV file.")]
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
            else:
                report = import_municipalities_csv(text, country)
                if report.errors:
                    db.session.rollback()
                    flash(_("Nothing was imported: correct the lines below and try again."), "error")
                else:
                    audit(current_user, "municipality.import", country, country=country.code,
                          created=len(report.created), unchanged=report.unchanged)
                    db.session.commit()
                    flash(_("%(created)s municipalities created, %(unchanged)s already known.",
                            created=len(report.created), unchanged=report.unchanged), "success")
                    return redirect(url_for("places.country", country_code=country.code))
    status = 400 if form.is_submitted() else 200
    return render_template("places/import.html", form=form, country=country, report=report), status

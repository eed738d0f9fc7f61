"""Login, registration, invitations, password reset, profile and user management."""
from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, or_, select

from ..core.forms import options
from ..extensions import db, limiter
from ..i18n import current_language
from ..places.models import Country
from ..places.services import place_choices
from ..security import is_safe_url
from . import services
from .forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    ConfirmForm,
    GrantForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
    SetPasswordForm,
)
from .models import ROLES, RoleGrant, User
from .permissions import (
    can,
    login_required,
    permission_required,
    require,
    scope,
    users_filter,
)

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _next_url(default: str = "core.home") -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_url(target) else url_for(default)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data or "")
        if services.check_password(user, form.password.data or "") and user is not None and user.is_active:
            services.record_login(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_next_url())
        db.session.commit()  # a password rehash is worth keeping even on a refused login
        flash(_("Wrong email or password."), "error")
    return render_template("accounts/login.html", form=form, next=request.args.get("next", "")), (
        400 if form.is_submitted() else 200
    )


@bp.route("/logout", methods=["POST"])
def logout():
    ConfirmForm().validate_on_submit() or abort(400)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if not current_app.config["SELF_REGISTRATION"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    choices = place_choices(form.country.data or request.args.get("country"), form.region.data, "fr")
    form.country.choices, form.region.choices, form.municipality.choices = choices.as_form_choices()
    if form.is_submitted() and not form.refine.data and form.validate():
        municipality = choices.municipality(form.municipality.data)
        problem = services.password_problem(form.password.data or "", form.email.data or "")
        if municipality is None:
            form.municipality.errors = [_("Choose your municipality.")]
        elif problem:
            form.password.errors = [problem]
        else:
            try:
                user = services.create_user(
                    email=form.email.data or "", name=form.name.data or "", password=form.password.data,
                    language=form.language.data or "fr", municipality=municipality, roles=[("trainee", None)],
                    sex=form.sex.data, age_band=form.age_band.data, profile=form.profile.data,
                )
            except services.AccountError as error:
                form.email.errors = [str(error)]
            else:
                db.session.commit()
                login_user(user)
                flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
                return redirect(url_for("core.home"))
    status = 400 if form.is_submitted() and not form.refine.data else 200
    return render_template("accounts/register.html", form=form, choices=choices), status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def accept_invitation(token: str):
    user = services.user_from_token(token, "invite", current_app.config["INVITATION_MAX_AGE"])
    if user is None or user.password_hash:
        flash(_("This invitation link is invalid, expired or already used."), "error")
        return redirect(url_for("accounts.login"))
    form = SetPasswordForm()
    if _new_password_saved(form, user):
        services.record_login(user)
        db.session.commit()
        login_user(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
        return redirect(url_for("core.home"))
    return render_template("accounts/set_password.html", form=form, user=user,
                           title=_("Choose your password")), (400 if form.is_submitted() else 200)


def _new_password_saved(form: SetPasswordForm, user: User) -> bool:
    """Validate the form and a strong enough password, then set it (the token's session salt rotates)."""
    if not form.validate_on_submit():
        return False
    problem = services.password_problem(form.password.data or "", user.email)
    if problem:
        form.password.errors = [problem]
        return False
    services.set_password(user, form.password.data or "")
    return True


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data or "")
        if user is not None and user.is_active and user.password_hash:
            services.send_password_reset(user)
        # Same answer whether or not the address exists.
        flash(_("If an account uses this address, a link to reset the password is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), (400 if form.is_submitted() else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def reset_password(token: str):
    user = services.user_from_token(token, "reset", current_app.config["PASSWORD_RESET_MAX_AGE"])
    if user is None:
        flash(_("This link is invalid, expired or already used. Ask for a new one."), "error")
        return redirect(url_for("accounts.request_reset"))
    form = SetPasswordForm()
    if _new_password_saved(form, user):
        db.session.commit()
        flash(_("Your password is changed. You can log in now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, user=user,
                           title=_("Choose a new password")), (400 if form.is_submitted() else 200)


# --- profile -----------------------------------------------------------------------------------

@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if form.submit.data and form.validate_on_submit():
        current_user.name = form.name.data
        current_user.language = form.language.data
        for field in ("sex", "age_band", "profile"):
            setattr(current_user, field, getattr(form, field).data or None)
        db.session.commit()
        from flask import session

        session.pop("lang", None)  # the saved setting now decides the language
        flash(_("Your profile is saved."), "success", )
        return redirect(url_for("accounts.profile"))
    status = 400 if form.submit.data and form.errors else 200
    return render_template("accounts/profile.html", form=form, password_form=password_form), status


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current.data or ""):
            form.current.errors = [_("The current password is wrong.")]
        elif problem := services.password_problem(form.password.data or "", current_user.email):
            form.password.errors = [problem]
        else:
            services.set_password(current_user, form.password.data or "")
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session, the others are signed out
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user), password_form=form), 400


@bp.route("/profile/data.json")
@login_required
def my_data():
    body = json.dumps(services.personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-recosa-learn-data.json"'})


# --- user management ---------------------------------------------------------------------------

@bp.route("/users")
@permission_required("users.list")
def users():
    query = request.args.get("q", "").strip()[:100]
    page = request.args.get("page", 1, type=int) or 1
    statement = select(User).where(users_filter(current_user)).order_by(User.name, User.id)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    pagination = db.paginate(statement, page=max(page, 1), per_page=current_app.config["USERS_PER_PAGE"],
                             error_out=False)
    return render_template("accounts/users.html", pagination=pagination, query=query)


def _load_managed_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not db.session.scalar(select(User.id).where(User.id == user_id, users_filter(current_user))):
        abort(404)
    return user


def _grant_form(user: User) -> GrantForm:
    form = GrantForm()
    countries = db.session.scalars(select(Country).order_by(Country.position)).all()
    lang = current_language()
    form.role.choices = options((role, _role_label(role)) for role in ROLES
                                if role != "admin" or can(current_user, "admin"))
    form.country.choices = options([("", _("All countries"))] + [(c.code, c.name(lang)) for c in countries])
    return form


def _role_label(role: str) -> str:
    return str(ROLE_LABELS[role])


@bp.route("/users/<int:user_id>")
@permission_required("users.list")
def user_detail(user_id: int):
    user = _load_managed_user(user_id)
    return render_template("accounts/user.html", user=user, grant_form=_grant_form(user), confirm=ConfirmForm())


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@permission_required("users.list")
def grant(user_id: int):
    user = _load_managed_user(user_id)
    require("users.manage", user)
    form = _grant_form(user)
    if not form.validate_on_submit():
        abort(400)
    role, country = form.role.data, (form.country.data or None)
    if role == "trainee":
        country = None
    if not can(current_user, "roles.grant", (role, country)):
        abort(403)
    services.grant_role(user, role, country, current_user)
    db.session.commit()
    flash(_("Role granted."), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/roles/<int:grant_id>/revoke", methods=["POST"])
@permission_required("users.list")
def revoke(user_id: int, grant_id: int):
    user = _load_managed_user(user_id)
    require("users.manage", user)
    ConfirmForm().validate_on_submit() or abort(400)
    grant_row = db.session.get(RoleGrant, grant_id)
    if grant_row is None or grant_row.user_id != user.id:
        abort(404)
    if not can(current_user, "roles.grant", (grant_row.role, grant_row.country_code)):
        abort(403)
    services.revoke_role(user, grant_row, current_user)
    db.session.commit()
    flash(_("Role revoked."), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permission_required("users.list")
def set_active(user_id: int):
    user = _load_managed_user(user_id)
    require("users.manage", user)
    ConfirmForm().validate_on_submit() or abort(400)
    if user.has_role("admin") and not can(current_user, "admin"):
        abort(403)
    activate = request.form.get("active") == "1"
    services.set_active(user, activate, current_user)
    db.session.commit()
    flash(_("The account is active again.") if activate else _("The account is deactivated; its learning records are kept."),
          "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/users/invite", methods=["GET", "POST"])
@permission_required("users.invite")
def invite():
    form = InviteForm()
    report = None
    if form.validate_on_submit():
        text = form.people.data or ""
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
                return render_template("accounts/invite.html", form=form, report=None), 400
        if not text.strip():
            form.people.errors = [_("Paste at least one line or choose a file.")]
            return render_template("accounts/invite.html", form=form, report=None), 400
        allowed = scope(current_user, "coordinator") | scope(current_user, "trainer")
        report = services.parse_invitations(text, allowed)
        if report.errors:
            flash(_("Nothing was saved: correct the lines below and try again."), "error")
            return render_template("accounts/invite.html", form=form, report=report), 400
        invited = services.invite_people(report, current_user)
        db.session.commit()
        flash(_("%(n)s people invited; each received a link to choose a password.", n=len(invited)), "success")
        return redirect(url_for("accounts.invite"))
    return render_template("accounts/invite.html", form=form, report=report), (400 if form.is_submitted() else 200)


@bp.route("/audit")
@permission_required("audit.view")
def audit_log():
    from .models import AuditEvent

    countries = scope(current_user, "coordinator")
    statement = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if not countries.is_all:
        statement = statement.where(AuditEvent.country_code.in_(sorted(countries)))
    page = request.args.get("page", 1, type=int) or 1
    pagination = db.paginate(statement.options(db.joinedload(AuditEvent.actor)), page=max(page, 1), per_page=50,
                             error_out=False)
    return render_template("accounts/audit.html", pagination=pagination)



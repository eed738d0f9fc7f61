"""Forms for coordinators' edits of municipalities."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class MunicipalityForm(FlaskForm):
    region = SelectField(_l("Region"), choices=[])
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Optional(), Length(max=120)],
                          render_kw={"dir": "rtl", "lang": "ar"})
    submit = SubmitField(_l("Save"))


class MunicipalityImportForm(FlaskForm):
    file = FileField(_l("CSV file (region, name in French, name in English, name in Arabic)"))
    submit = SubmitField(_l("Import"))

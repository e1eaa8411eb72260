"""Web forms (Flask-WTF), each with its CSRF token and field-level messages."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.dbtypes import MAX_INTEGER
from tracker.models import Delivery, PledgeStatus, Role
from tracker.pledging import MAX_TEXT, MAX_URL, PledgeChange


def _strip(value: str | None) -> str | None:
    """Trim surrounding white space from a text field."""
    return value.strip() if isinstance(value, str) else value


class IsoDateField(DateField):  # type: ignore[misc]
    """A date input whose error says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse YYYY-MM-DD, explaining the format when the value is not one."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Give the date as YYYY-MM-DD, for example 2024-05-02.") from None


class LoginForm(FlaskForm):  # type: ignore[misc]
    """Sign in with email and password."""

    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class PledgeForm(FlaskForm):  # type: ignore[misc]
    """Edit one pledge; `version` is the version the editor started from."""

    status = SelectField(
        "Answer",
        choices=[SelectChoice(s.value, s.label) for s in PledgeStatus],
        validators=[InputRequired()],
    )
    delivery = SelectField(
        "Delivery",
        choices=[SelectChoice(d.value, d.label) for d in Delivery],
        validators=[InputRequired()],
    )
    evidence_url = StringField(
        "Source link", validators=[Optional(), Length(max=MAX_URL)], filters=[_strip]
    )
    quote = TextAreaField("Quoted text", validators=[Length(max=MAX_TEXT)], filters=[_strip])
    evidence_date = IsoDateField("Date said", validators=[Optional()])
    note = TextAreaField(
        "Public note (shown on the site, in downloads and in feeds)",
        validators=[Length(max=MAX_TEXT)],
        filters=[_strip],
    )
    private_note = TextAreaField(
        "Internal note (campaigners only, never published)",
        validators=[Length(max=MAX_TEXT)],
        filters=[_strip],
    )
    version = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=MAX_INTEGER)])
    # Digests of the fields as the editor loaded them, to tell edits from untouched fields.
    base = HiddenField()

    def show(self, values: Mapping[str, object]) -> None:
        """Put these values in the fields in place of what was posted."""
        for name, value in values.items():
            field = getattr(self, name)
            field.data = value
            field.raw_data = None

    def change(self) -> PledgeChange:
        """Return the edit as a change the pledging module can validate and save."""
        return PledgeChange(
            status=PledgeStatus(self.status.data),
            delivery=Delivery(self.delivery.data),
            evidence_url=self.evidence_url.data or None,
            quote=self.quote.data or None,
            evidence_date=self.evidence_date.data,
            note=self.note.data or None,
            private_note=self.private_note.data or None,
        )


class UploadForm(FlaskForm):  # type: ignore[misc]
    """Upload a spreadsheet (CSV) of pledge updates."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])


class ApplyUploadForm(FlaskForm):  # type: ignore[misc]
    """Confirm an upload; `plan` fingerprints the previewed versions."""

    plan = HiddenField(validators=[DataRequired()])
    skip_bad = BooleanField()  # apply the good rows, skipping those the preview listed


class TokenForm(FlaskForm):  # type: ignore[misc]
    """Name a new API token."""

    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class RoleForm(FlaskForm):  # type: ignore[misc]
    """Change an account's role."""

    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.title()) for r in Role])


class RecommendationForm(FlaskForm):  # type: ignore[misc]
    """Correct a recommendation's wording (admins only)."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField("Summary", validators=[DataRequired(), Length(max=2000)])
    body = TextAreaField(
        "Full text from the source", validators=[DataRequired(), Length(max=MAX_TEXT)]
    )
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_INTEGER)])


class AcceptForm(FlaskForm):  # type: ignore[misc]
    """Accept a proposed passage as a full or partial pledge."""

    status = SelectField(
        "Record as",
        choices=[
            SelectChoice(s.value, s.label) for s in (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL)
        ],
        validators=[InputRequired()],
    )
    back = HiddenField()


class RejectForm(FlaskForm):  # type: ignore[misc]
    """Reject a proposed passage, saying why, so it is not proposed again."""

    reason = StringField("Why not", validators=[Optional(), Length(max=500)], filters=[_strip])
    back = HiddenField()


class SourceForm(FlaskForm):  # type: ignore[misc]
    """Submit a document or page for the scraper to read for an authority."""

    authority = StringField(
        "Authority",
        validators=[DataRequired(message="Give the authority’s name."), Length(max=200)],
    )
    url = StringField(
        "Document or page address",
        validators=[
            DataRequired(),
            Length(max=2000, message="Document addresses are limited to 2,000 characters."),
        ],
        filters=[_strip],
    )


class ResponsibilityForm(FlaskForm):  # type: ignore[misc]
    """Say whether a type of authority can deliver a recommendation, and why."""

    applies = SelectField(
        "Can deliver",
        choices=[
            SelectChoice("yes", "Yes"),
            SelectChoice("no", "No"),
            SelectChoice("with-pcc-powers", "Only with PCC powers"),
        ],
        validators=[InputRequired()],
    )
    reason = StringField("Why", validators=[DataRequired(), Length(max=300)], filters=[_strip])
    version = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_INTEGER)])


class EmptyForm(FlaskForm):  # type: ignore[misc]
    """A button-only form: it carries just the CSRF token."""

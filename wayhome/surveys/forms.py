"""Forms of the survey pages. They bind input only; the services validate and save.

The interview form is made from the instrument's definition, in the user's language: one group
of radio buttons per question, "don't know" and "not applicable" included. People are offered by
their label on the case ("Principal applicant (1)"), never by name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import CaseMember, Programme
from wayhome.core.forms import ScopedIdForm
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.surveys.models import Consent, Instrument, InstrumentVersion, Mode, Outcome
from wayhome.surveys.models import ScheduleItem as ScheduleItemModel
from wayhome.surveys.selectors import GROUP_BY, OPEN, FollowUpStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUESTION_PREFIX = "q_"


def _area(label: Any, max_length: int, *, required: bool = False, rows: int = 3) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class InterviewForm(ScopedIdForm):
    """The interview: who, which follow-up, how, when, consent and outcome, then the questions
    (fields ``q_<question code>``)."""

    id_scope = "interview"

    member = forms.ChoiceField(label=_("Returnee"), choices=())
    schedule_item = forms.ChoiceField(label=_("Follow-up"), choices=(), required=False)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, widget=forms.RadioSelect)
    interviewer = forms.ChoiceField(label=_("Interviewer"), choices=())
    conducted_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    consent = forms.ChoiceField(
        label=_("Consent to be interviewed"),
        choices=Consent.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Not asked when the person could not be reached."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    notes = _area(_("Notes"), 2000)

    def __init__(
        self,
        *args: Any,
        version: InstrumentVersion,
        members: list[tuple[CaseMember, str]],
        items: Iterable[ScheduleItemModel],
        interviewers: Iterable[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.members = {str(m.pk): m for m, _label in members}
        cast(forms.ChoiceField, self.fields["member"]).choices = [
            (str(m.pk), label) for m, label in members
        ]
        self.items = {str(i.pk): i for i in items}
        cast(forms.ChoiceField, self.fields["schedule_item"]).choices = [
            ("", _("Not a scheduled follow-up")),
            *((pk, item.name) for pk, item in self.items.items()),
        ]
        self.interviewers = {str(u.pk): u for u in interviewers}
        cast(forms.ChoiceField, self.fields["interviewer"]).choices = [
            (pk, str(u)) for pk, u in self.interviewers.items()
        ]
        definition = version.parsed
        self.question_fields: list[str] = []
        for question in definition.questions:
            name = QUESTION_PREFIX + question.code
            self.fields[name] = forms.ChoiceField(
                label=definition.text(question.text),
                help_text=definition.text(question.help) if question.help else "",
                choices=[(o.value, definition.text(o.label)) for o in question.options],
                required=False,
                widget=forms.RadioSelect,
            )
            self.question_fields.append(name)

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(QUESTION_PREFIX)]

    @property
    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_fields]

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix(QUESTION_PREFIX): self.cleaned_data.get(name) or ""
            for name in self.question_fields
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "member": self.members[data["member"]],
            "schedule_item": self.items.get(data.get("schedule_item") or ""),
            "instrument": self.version.instrument,
            "mode": data["mode"],
            "interviewer": self.interviewers[data["interviewer"]],
            "conducted_on": data["conducted_on"],
            "consent": data.get("consent") or "",
            "outcome": data["outcome"],
            "answers": self.answers(),
            "notes": data.get("notes") or "",
        }


class RecomputeForm(ScopedIdForm):
    id_scope = "recompute"

    version = forms.ChoiceField(label=_("Compute under version"), choices=())
    reason = _area(_("Why recompute the scores"), 2000, required=True)

    def __init__(self, *args: Any, versions: Iterable[InstrumentVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.number): v for v in versions}
        cast(forms.ChoiceField, self.fields["version"]).choices = [
            (
                number,
                _("Version %(number)s (%(status)s)")
                % {"number": number, "status": v.get_status_display()},
            )
            for number, v in self.versions.items()
        ]

    def chosen(self) -> InstrumentVersion:
        return self.versions[self.cleaned_data["version"]]


class VersionForm(ScopedIdForm):
    id_scope = "version"

    definition = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "dir": "ltr"}),
        max_length=500_000,
        help_text=_(
            "The format is described in docs/surveys.md. Weights and scores are decimal "
            "numbers written as strings."
        ),
    )
    notes = _area(_("What changed, and why"), 2000)

    def clean_definition(self) -> Any:
        try:
            return json.loads(self.cleaned_data["definition"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s") % {"problem": str(exc)[:200]}
            ) from None


class ScheduleItemForm(ScopedIdForm):
    id_scope = "schedule"

    office = forms.ChoiceField(label=_("Office"), choices=())
    programme = forms.ChoiceField(
        label=_("Programme"), choices=Programme.choices, initial=Programme.AVRR
    )
    instrument = forms.ChoiceField(label=_("Survey"), choices=())
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        validators=[validate_single_line],
        help_text=_('For example "Baseline at arrival" or "6 months".'),
    )
    days_after_arrival = forms.IntegerField(
        label=_("Days after arrival"), min_value=0, max_value=3650
    )
    window_days = forms.IntegerField(
        label=_("Days to complete it"),
        min_value=0,
        max_value=365,
        required=False,
        help_text=_("Overdue after this many days past the due date (empty: the default)."),
    )

    def __init__(
        self,
        *args: Any,
        offices: Iterable[Office],
        instruments: Iterable[tuple[Instrument, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {str(o.pk): o for o in offices}
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            (pk, o.name) for pk, o in self.offices.items()
        ]
        self.instruments = {i.code: i for i, _title in instruments}
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            (i.code, title) for i, title in instruments
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "office": self.offices[data["office"]],
            "programme": data["programme"],
            "instrument": self.instruments[data["instrument"]],
            "name": data["name"],
            "days_after_arrival": data["days_after_arrival"],
            "window_days": data.get("window_days"),
        }


class ScheduleChangeForm(ScopedIdForm):
    id_scope = "schedule_change"

    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_single_line])
    days_after_arrival = forms.IntegerField(
        label=_("Days after arrival"), min_value=0, max_value=3650
    )
    window_days = forms.IntegerField(label=_("Days to complete it"), min_value=0, max_value=365)
    active = forms.BooleanField(label=_("Active"), required=False)


STATUS_LABELS: dict[str, Any] = {
    FollowUpStatus.UPCOMING: _("Due soon"),
    FollowUpStatus.DUE: _("Due"),
    FollowUpStatus.OVERDUE: _("Overdue"),
    FollowUpStatus.DONE: _("Done"),
    FollowUpStatus.REFUSED: _("Refused"),
}
OPEN_CHOICE = "open"


class FollowUpFilterForm(forms.Form):
    """The follow-up list's filters (GET: nothing personal)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (OPEN_CHOICE, _("To do (due soon, due, overdue)")),
            *((code, STATUS_LABELS[code]) for code in STATUS_LABELS),
        ],
    )
    programme = forms.ChoiceField(
        label=_("Programme"), required=False, choices=[("", _("All")), *Programme.choices]
    )
    instrument = forms.ChoiceField(label=_("Survey"), required=False, choices=())

    def __init__(self, *args: Any, instruments: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = [
            ("", _("All")),
            *instruments,
        ]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or OPEN_CHOICE
        return {
            "statuses": OPEN if status == OPEN_CHOICE else (status,),
            "programme": data.get("programme") or "",
            "instrument": data.get("instrument") or "",
        }


GROUP_LABELS: dict[str, Any] = {
    "country": _("Country of origin (of return)"),
    "programme": _("Programme"),
    "cohort": _("Cohort (quarter of arrival)"),
}


class ResultsForm(forms.Form):
    """The distribution's choices (GET)."""

    instrument = forms.ChoiceField(label=_("Survey"), required=False, choices=())
    dimension = forms.ChoiceField(label=_("Score"), required=False, choices=())
    by = forms.ChoiceField(
        label=_("Grouped by"),
        required=False,
        choices=[(key, GROUP_LABELS[key]) for key in GROUP_BY],
    )
    latest = forms.BooleanField(label=_("Only each returnee's latest interview"), required=False)

    def __init__(
        self,
        *args: Any,
        instruments: list[tuple[str, str]],
        dimensions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["instrument"]).choices = instruments
        cast(forms.ChoiceField, self.fields["dimension"]).choices = [
            *dimensions,
            ("composite", _("Composite")),
        ]

"""Forms of the register's pages. They bind input only; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import RoleGrant, User
from wayhome.accounts.permissions import ROLE_PERMISSIONS, Perm
from wayhome.cases.models import Programme
from wayhome.core.countries import country_choices
from wayhome.safety.models import RestrictionStatus


def approvers() -> Any:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.RESTRICTION_MANAGE in perms]
    holders = RoleGrant.objects.filter(role__in=roles, office__is_active=True).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("email")


class ApproverField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "full_name", "") or obj.email)


class RestrictionForm(forms.Form):
    """A new restriction (``with_place``) or the next version of one (the place is kept)."""

    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(
        label=_("Region (ISO 3166-2)"),
        required=False,
        max_length=8,
        help_text=_("Empty: the whole country. For example IQ-NI."),
    )
    programmes = forms.MultipleChoiceField(
        label=_("Programmes"),
        choices=Programme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=RestrictionStatus.choices)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until changed."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(
        label=_("Source"), help_text=_("Where the decision comes from (a notice, an assessment).")
    )
    approved_by = ApproverField(label=_("Approved by"), queryset=User.objects.none())
    pauses_post_arrival = forms.BooleanField(
        label=_("Pauses post-arrival services in this place"), required=False
    )

    def __init__(self, *args: Any, with_place: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_place:
            self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        else:
            del self.fields["country"]
            del self.fields["region"]
        approver = self.fields["approved_by"]
        assert isinstance(approver, forms.ModelChoiceField)  # noqa: S101
        approver.queryset = approvers()


class CheckForm(forms.Form):
    """The "what applied" question."""

    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("Region (ISO 3166-2)"), required=False, max_length=8)
    programme = forms.ChoiceField(
        label=_("Programme"), required=False, choices=[("", _("Any programme")), *Programme.choices]
    )
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]

    def clean_region(self) -> str:
        region = str(self.cleaned_data.get("region", "")).strip().upper()
        country = self.cleaned_data.get("country", "")
        if region and not region.startswith(f"{country}-"):
            raise forms.ValidationError(_("The region is not in the country."))
        return region


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this return may go ahead"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

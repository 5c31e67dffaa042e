"""Selects written in Python are the markup Django's templates write, character for character."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from hypothesis import given, settings
from hypothesis import strategies as st

from wayhome.core.renderers import SELECT, FastSelectRenderer

text = st.text(alphabet=st.sampled_from(list("ab <>&\"'é٣ x")), min_size=0, max_size=6)
choice = st.tuples(text, text)
group = st.tuples(text.filter(bool), st.lists(choice, min_size=1, max_size=3))
choices = st.lists(st.one_of(choice, group), max_size=8)
attrs = st.dictionaries(
    st.sampled_from(["id", "class", "data-x", "required", "disabled", "aria-describedby"]),
    st.one_of(st.booleans(), text),
    max_size=4,
)


def _both(widget: forms.Select, name: str, value: Any, extra: dict[str, Any]) -> tuple[str, str]:
    context = widget.get_context(name, value, extra)
    expected = DjangoTemplates().render(SELECT, context)
    return expected, FastSelectRenderer().render(SELECT, context)


@settings(max_examples=300, deadline=None)
@given(choices=choices, attrs=attrs, name=text, pick=st.integers(0, 10), multiple=st.booleans())
def test_a_select_is_the_markup_of_the_templates(
    choices: list[Any], attrs: dict[str, Any], name: str, pick: int, multiple: bool
) -> None:
    flat = [c for item in choices for c in (item[1] if isinstance(item[1], list) else [item])]
    value: Any = flat[pick % len(flat)][0] if flat else ""
    widget: forms.Select = (
        forms.SelectMultiple(choices=choices) if multiple else forms.Select(choices=choices)
    )
    expected, fast = _both(widget, name, [value] if multiple else value, attrs)
    assert fast == expected


def test_a_real_form_select_is_unchanged() -> None:
    class Form(forms.Form):
        country = forms.ChoiceField(
            choices=[("", "Any"), ("NG", "Nigeria"), ("CI", "Côte d'Ivoire")]
        )

    html = str(Form({"country": "CI"}, renderer=FastSelectRenderer())["country"])
    assert '<option value="CI" selected>Côte d&#x27;Ivoire</option>' in html
    assert " required " in html
    assert html == str(Form({"country": "CI"}, renderer=DjangoTemplates())["country"])

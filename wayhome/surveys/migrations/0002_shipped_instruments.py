"""Version 1, published, of each instrument shipped in ``wayhome/surveys/instruments/*.json``
(the Reintegration Sustainability Survey and the satisfaction survey). Idempotent: an instrument
that exists already is left alone. The weights are documented defaults for a programme to review
(a new version changes them; stored scores never change)."""

from typing import Any

from django.db import migrations
from django.utils import timezone


def load_shipped(apps: Any, schema_editor: Any) -> None:
    from wayhome.surveys import scoring

    instrument_model = apps.get_model("surveys", "Instrument")
    version_model = apps.get_model("surveys", "InstrumentVersion")
    for data in scoring.shipped():
        definition = scoring.parse(data)
        instrument, _created = instrument_model.objects.get_or_create(code=definition.code)
        if version_model.objects.filter(instrument=instrument).exists():
            continue
        version_model.objects.create(
            instrument=instrument,
            number=1,
            definition=data,
            status="published",
            notes="Shipped with Wayhome (default weights, for your programme to review).",
            published_at=timezone.now(),
        )


def remove_shipped(apps: Any, schema_editor: Any) -> None:
    version_model = apps.get_model("surveys", "InstrumentVersion")
    version_model.objects.filter(number=1, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load_shipped, remove_shipped)]

"""Version 1 of each programme's eligibility rules (administrators change them on the rules page).

Defaults, chosen to be permissive where the decision belongs to the programme, not the software:

- AVR (return only): every migrant category; every country of return; not assisted to return in
  the last 3 years.
- AVRR (return and reintegration): every category except regular migrants (reintegration
  assistance is for those without a right to stay); every country of return; not assisted to
  return in the last 5 years.
- VHR (humanitarian return, from transit countries in crisis): every category except regular
  migrants; every country of return; no look-back (a humanitarian evacuation is not refused
  because of an earlier return).

No programme requires documents at eligibility by default: travel documents are obtained during
travel preparation (through consulates). Restricted countries and regions belong to the safety
register (a later build), not to these defaults.
"""

from typing import Any

from django.db import migrations

EVERY_COUNTRY = {"countries": [], "excluded_regions": []}
NOT_REGULAR = [
    "rejected_asylum_seeker",
    "stranded",
    "irregular",
    "victim_of_trafficking",
    "unaccompanied_child",
    "health_needs",
    "other_vulnerable",
]

DEFAULTS: dict[str, dict[str, Any]] = {
    "AVR": {
        "allowed_categories": {"categories": [*NOT_REGULAR[:3], "regular", *NOT_REGULAR[3:]]},
        "allowed_destinations": EVERY_COUNTRY,
        "not_assisted_within_years": {"years": 3},
    },
    "AVRR": {
        "allowed_destinations": EVERY_COUNTRY,
        "excluded_categories": {"categories": ["regular"]},
        "not_assisted_within_years": {"years": 5},
    },
    "VHR": {
        "allowed_categories": {"categories": NOT_REGULAR},
        "allowed_destinations": EVERY_COUNTRY,
    },
}


def create_version_one(apps: Any, schema_editor: Any) -> None:
    ruleset = apps.get_model("eligibility", "RuleSet")
    for programme, rules in DEFAULTS.items():
        if not ruleset.objects.filter(programme=programme).exists():
            ruleset.objects.create(
                programme=programme, version=1, rules=rules, note="Initial rules"
            )


def remove_version_one(apps: Any, schema_editor: Any) -> None:
    apps.get_model("eligibility", "RuleSet").objects.filter(version=1, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]

    operations = [migrations.RunPython(create_version_one, remove_version_one)]

from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "wayhome.eligibility"
    label = "eligibility"

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "wayhome.consent"
    label = "consent"

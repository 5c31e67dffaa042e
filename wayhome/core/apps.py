from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wayhome.core"
    label = "core"

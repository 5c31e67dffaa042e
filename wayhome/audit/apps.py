from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wayhome.audit"
    label = "audit"

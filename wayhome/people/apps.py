from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "wayhome.people"
    label = "people"

    def ready(self) -> None:
        from wayhome.audit import actions

        actions.register(
            {
                "person.duplicate_check": _("Checked for duplicates of a person"),
                "person.duplicate_decide": _("Decided on a possible duplicate"),
                "person.duplicate_reverse": _("Reversed a duplicate decision"),
                "person.match_enquiry": _("Asked another office about a possible match"),
                "person.match_enquiry_answer": _("Answered an enquiry about a possible match"),
                "person.match_enquiry_view": _("Viewed an enquiry about a possible match"),
                "person.document_add": _("Added an identity document"),
                "person.document_change": _("Changed an identity document"),
                "person.document_remove": _("Removed an identity document"),
                "person.photo_view": _("Viewed a person's photo"),
            }
        )

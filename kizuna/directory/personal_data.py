"""The directory's part of a person's data download and erasure (see accounts.personal_data).

An erased merchant's requests stay for the partners' records and the counts, without the
contact details or the text that may name the person.
"""

from typing import Any

from kizuna.accounts import personal_data
from kizuna.directory.models import Lead, Review, VisitorLead


def _export(user: Any) -> dict[str, Any]:
    return {
        "requests": list(
            Lead.objects.filter(merchant=user).values(
                "products",
                "budget",
                "timeline",
                "prefecture",
                "message",
                "contact_name",
                "contact_email",
                "contact_phone",
                "created_at",
            )
        ),
        "reviews": list(
            Review.objects.filter(merchant=user).values(
                "partner__organization__name", "rating", "text", "created_at"
            )
        ),
    }


def _erase(actor: Any, user: Any) -> None:
    leads = Lead.objects.filter(merchant=user)
    VisitorLead.objects.filter(lead__in=leads).delete()
    VisitorLead.objects.filter(email__iexact=user.email).delete()
    leads.update(contact_name="", contact_email="", contact_phone="", message="")


personal_data.section("directory", export=_export, erase=_erase)

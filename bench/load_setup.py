"""The accounts and names `bench/load.py` drives the site with, made in the seeded database.

Run by load.py in its own process (the load generator itself never imports Django, since
locust's gevent patches sockets), with the bench's environment:

    python bench/load_setup.py fixtures <staff count>   # one JSON object, see below
    python bench/load_setup.py count-leads <email prefix>

`fixtures` prints the shared password, merchants' emails, staff accounts with their
authenticator keys (hex), listed partner slugs, and an API token of Bob (owner of Bob Web
Works) with that organization's id. `count-leads` prints
{"stored", "distinct"}: leads whose contact email starts with the prefix, and how many
different such emails they have (the bench gives every submission its own).
The staff accounts and their authenticators are the bench's own, created directly like
seed_demo's people; the API token through the accounts service.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kizuna.settings")


def fixtures(staff_count: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kizuna.accounts import services
    from kizuna.accounts.models import AccountKind, Organization, StaffRole, StaffRoleGrant, User
    from kizuna.core.seeding import DEMO_PASSWORD
    from kizuna.directory.models import DirectoryEntry

    password_hash = make_password(DEMO_PASSWORD)
    staff = []
    for n in range(staff_count):
        email = f"bench-staff-{n}@example.com"
        user, _created = User.objects.update_or_create(
            email=email,
            defaults={"display_name": f"Bench staff {n}", "password": password_hash},
        )
        StaffRoleGrant.objects.get_or_create(user=user, role=StaffRole.ADMIN)
        # Confirmed directly: confirming through the service would use up the current
        # 30-second code, which the bench's first sign-in needs.
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        staff.append({"email": email, "key": device.key})
    merchants = list(
        User.objects.filter(
            kind=AccountKind.MERCHANT, staff_role_grants__isnull=True, is_active=True
        )
        .exclude(email__startswith="bench-")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    slugs = list(
        DirectoryEntry.objects.filter(listed=True, accepting=True)
        .order_by("pk")
        .values_list("partner__organization__slug", flat=True)
    )
    owner = User.objects.get(email="bob@example.com")
    _token, secret = services.api_token_create(
        user=owner,
        name="bench/load.py",
        scopes=["account:read", "partners:read", "leads:respond", "billing:read"],
    )
    return {
        "password": DEMO_PASSWORD,
        "merchants": merchants,
        "staff": staff,
        "slugs": slugs,
        "token": secret,
        "organization_id": Organization.objects.get(slug="bob-web-works").pk,
    }


def count_leads(prefix: str) -> dict:
    from kizuna.directory.models import Lead

    leads = Lead.objects.filter(contact_email__startswith=prefix)
    return {
        "stored": leads.count(),
        "distinct": leads.values("contact_email").distinct().count(),
    }


def main() -> None:
    import django

    django.setup()
    command, argument = sys.argv[1], sys.argv[2]
    if command == "fixtures":
        print(json.dumps(fixtures(int(argument))))
    elif command == "count-leads":
        print(json.dumps(count_leads(argument)))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()

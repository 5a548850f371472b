"""A helper program of tests/test_migrate_forward.py, not a test: started in a code tree (the
checkout of the commit before the core redesign, or this one) against the scratch database of
DATABASE_URL, it prints one JSON object.

Its one argument, JSON too:
- "fill": true (the code of before the redesign only, whose services it calls): one row in each
  moved table the demo leaves empty (an invitation, a person's request, a liaison file through a
  second transfer, accepted), so that the migration has rows to keep there too;
- "label", "users": whether each user may review the demo's pending transfer, through
  `user.has_perm("<label>.review_transfer", transfer)` and through guardian's checker;
- "sql": migrations ("app.name") whose SQL to print, as `manage.py sqlmigrate` does.
"""

import json
import sys
from pathlib import Path

sys.path[0] = str(Path.cwd())  # the code tree the test started us in, not tests/

import django  # noqa: E402

django.setup()


def fill() -> None:
    """Through the services of the code of before the redesign (its API, not today's)."""
    from django_scopes import scope, scopes_disabled

    from cep import services
    from cep.models import BeneficiaryAccount, Membership, Parcours, Transfer

    with scopes_disabled():
        reviewer = Membership.objects.select_related("operator").get(user__username="marc.durand")
        referent = Membership.objects.get(user__username="julie.petit")
        origin = Transfer.objects.get(status="en_attente").operator
        account = BeneficiaryAccount.objects.select_related("beneficiary").get()
    with scope(operator=origin.pk):
        free = list(
            Parcours.objects.open()
            .filter(referent__isnull=False, beneficiary__account=None)
            .exclude(pk__in=Transfer.objects.values("parcours"))
            .select_related("referent", "beneficiary")
            .order_by("pk")[:2]
        )
        invited, carried = free
        invited.beneficiary.email = "invitation.migration@exemple.invalid"
        invited.beneficiary.save(update_fields=["email"])
        services.invite_beneficiary(membership=invited.referent, beneficiary=invited.beneficiary)
        second = services.propose_transfer(
            membership=carried.referent,
            parcours=carried,
            target_operator=reviewer.operator,
            reason="Déménagement (test de migration).",
            categories=["identite", "situation"],
            consent_evidence="Accord écrit (test de migration)",
        )
    with scope(operator=reviewer.operator_id):
        services.accept_transfer(membership=reviewer, transfer_id=second.pk, referent=referent)
    with scope(operator=account.beneficiary.operator_id):
        services.send_request_from_space(
            account=account, kind="rectification", message="Mon adresse a changé (test)."
        )


def review(label: str, usernames: list[str]) -> dict:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled
    from guardian.core import ObjectPermissionChecker

    transfer_model = apps.get_model(label, "Transfer")
    with scopes_disabled():
        transfer = transfer_model.objects.get(status="en_attente")
        users = get_user_model().objects.filter(username__in=usernames)
        answers = {
            user.username: [
                user.has_perm(f"{label}.review_transfer", transfer),
                ObjectPermissionChecker(user).has_perm("review_transfer", transfer),
            ]
            for user in users
        }
    return {"transfer": transfer.pk, "answers": answers}


def migration_sql(names: list[str]) -> dict:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    return {
        name: loader.collect_sql([(loader.graph.nodes[tuple(name.split("."))], False)])
        for name in names
    }


def main(spec: dict) -> dict:
    import cep

    out: dict = {"code": str(Path(cep.__file__).resolve().parent.parent)}
    if spec.get("fill"):
        fill()
    if "label" in spec:
        out["review"] = review(spec["label"], spec["users"])
    if "sql" in spec:
        out["sql"] = migration_sql(spec["sql"])
    return out


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))

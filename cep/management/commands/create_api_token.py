from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from cep import services
from cep.models import Membership


class Command(BaseCommand):
    help = "Crée un jeton d'API pour une habilitation et affiche la clé (une seule fois)."

    def add_arguments(self, parser):
        parser.add_argument("--membership", type=int, required=True, help="id de l'habilitation")
        parser.add_argument("--label", required=True, help="nom du système d'information")

    def handle(self, *args, membership, label, **options):
        # A platform command: it looks the membership up across operators on purpose.
        with scopes_disabled():
            try:
                target = Membership.objects.select_related("operator").get(
                    pk=membership, is_active=True
                )
            except Membership.DoesNotExist:
                raise CommandError(f"Aucune habilitation active n°{membership}.") from None
            _, key = services.issue_api_token(membership=target, label=label)
        self.stdout.write(f"Jeton pour {target} : {key}")
        self.stdout.write("Conservez-le : il ne sera plus affiché.")

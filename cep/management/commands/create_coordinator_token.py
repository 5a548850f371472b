from django.core.management.base import BaseCommand, CommandError

from cep import services
from cep.models import Coordinator


class Command(BaseCommand):
    help = (
        "Crée un jeton d'API pour une coordination (indicateurs consolidés seulement) et affiche "
        "la clé (une seule fois)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="identifiant de la coordination")
        parser.add_argument("--label", required=True, help="nom du système d'information")

    def handle(self, *args, username, label, **options):
        coordinator = Coordinator.objects.filter(user__username=username, is_active=True).first()
        if coordinator is None:
            raise CommandError(f"Aucune coordination active pour « {username} ».")
        _, key = services.issue_coordinator_token(coordinator=coordinator, label=label)
        self.stdout.write(f"Jeton pour {coordinator} : {key}")
        self.stdout.write("Conservez-le : il ne sera plus affiché.")

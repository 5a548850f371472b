"""Recompute the audit trail's hash chain of every operator; exit 1 if any link is wrong."""

from django.core.management.base import BaseCommand, CommandError

from cep.audit import verify_chain


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit de chaque opérateur."

    def handle(self, *args, **options):
        read, faults = verify_chain()
        for fault in faults:
            self.stdout.write(
                f"opérateur {fault.operator_id}, événement {fault.event_id} "
                f"(maillon {fault.chain_index}) : {fault.reason}"
            )
        if faults:
            raise CommandError(f"{len(faults)} anomalie(s) sur {read} événements.")
        self.stdout.write(self.style.SUCCESS(f"Chaîne intacte : {read} événements vérifiés."))

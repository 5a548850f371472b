from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cep.referentials.rome import DEFAULT_RELEASE_DIR, RomeImportError, import_release

COUNT_LABELS = {
    "grands_domaines": "grands domaines",
    "domaines": "domaines professionnels",
    "metiers": "métiers (fiches ROME)",
    "appellations": "appellations",
    "competences": "compétences (savoir-faire et savoir-être)",
    "savoirs": "savoirs",
    "liens_metier_competence": "liens métier / compétence",
    "liens_ignores": "liens ignorés (contextes de travail…)",
    "mobilites": "mobilités",
}


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")  # French thousands separator (narrow space)


class Command(BaseCommand):
    help = (
        "Importe une version du ROME 4.0 de France Travail (fichiers unix_*_vXXX_utf8.csv, "
        "éventuellement .csv.gz) ; par défaut, la version livrée avec la plateforme. "
        "Tout est vérifié avant l'écriture, en une seule transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder",
            nargs="?",
            default=str(DEFAULT_RELEASE_DIR),
            help="dossier des fichiers CSV (par défaut : %(default)s)",
        )

    def handle(self, *args, folder, **options):
        try:
            result = import_release(Path(folder))
        except RomeImportError as error:
            raise CommandError(f"Import du ROME refusé, base inchangée — {error}") from error
        seconds = f"{result.seconds:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                f"ROME {result.release.version} importé en {seconds} s depuis {folder}"
            )
        )
        for key, value in result.counts.items():
            label = COUNT_LABELS.get(key, key)
            self.stdout.write(f"  {label} : {thousands(value)}")
        self.stdout.write(f"Lignes ajoutées, modifiées ou supprimées : {thousands(result.written)}")

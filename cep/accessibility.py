"""The facts of the accessibility declaration (/accessibilite/, RGAA model).

The platform has had no RGAA audit: it is declared "non conforme", as the RGAA asks of a service
that cannot show an audit. What the automated checks cover is said plainly; update CHECKED_ON and
the lists below when the checks change (tests/cep/test_accessibility_statement.py reads the axe
version from the installed engine, so the page cannot claim another one).
"""

from dataclasses import dataclass
from datetime import date

STATUS = "non conforme"
RGAA_VERSION = "4.1.2"
CHECKED_ON = date(2026, 12, 3)  # the last run of the automated checks described below
AXE_VERSION = "4.12.1"
BROWSER = "Chromium (Debian)"
WIDTHS = (375, 1280)  # pixels: a phone and a desktop screen


@dataclass(frozen=True)
class Area:
    label: str
    pages: str


CHECKED_AREAS = (
    Area("Connexion", "connexion, double authentification, mot de passe oublié"),
    Area("Espace personnel", "accueil, consentements, mes données, transferts, invitation"),
    Area(
        "Conseillers",
        "portefeuille, fiche bénéficiaire, demandes, sessions collectives, projet, plan d'action, "
        "synthèse",
    ),
    Area("Managers", "équipe, suivi, réaffectation, conservation, transferts, sécurité"),
    Area("Coordinateurs", "tableaux de bord des indicateurs"),
)

AUTOMATED_CHECKS = (
    f"analyse axe-core {AXE_VERSION} de chaque page ci-dessus, dans {BROWSER}, à "
    + " et ".join(f"{w} px" for w in WIDTHS)
    + " de large : aucune violation grave ou critique n'est admise ;",
    "parcours complets au clavier (tabulation, Entrée, Espace) sans souris ;",
    "aucune erreur dans la console du navigateur ;",
    "documents PDF de synthèse balisés (titres, tableaux avec en-têtes, langue, texte de "
    "remplacement).",
)

KNOWN_ISSUES = (
    "Aucun audit RGAA n'a encore été réalisé : les contrôles automatiques ne détectent qu'une "
    "partie des non-conformités (contrastes dans certains états, pertinence des alternatives, "
    "ordre de lecture, compréhension des contenus).",
    "La documentation de l'API (outil Swagger UI, destiné aux développeurs) affiche ses boutons "
    "en anglais et n'a pas été vérifiée au clavier.",
    "Les documents PDF n'ont pas été validés avec un outil de contrôle PDF/UA.",
)

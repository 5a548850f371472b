"""The common indicator set, defined in one place: code, French label, definition, unit and
breakdowns, and how each is computed from the monthly facts (``indicateurs.facts``).

Every count of people, parcours or services can be masked by statistical secrecy; a rate is
masked with its numerator or its denominator; a median, a percentile or a mean needs at least as
many observations as the threshold.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from accueil.models import Structure
from cep.models import Level, Parcours, Service
from cep.nomenclatures import (
    DEPARTEMENTS,
    DiplomaLevel,
    EmploymentStatus,
    PcsGroup,
    ProjectType,
    Region,
    Sex,
    region_of_departement,
)
from conseil.models import StrategyOption
from indicateurs.models import FollowUpSurvey
from indicateurs.secrecy import mask_count, mask_distribution_figure, mask_rate
from indicateurs.selectors import Cells

NOT_GIVEN = "Non renseigné"


@dataclass(frozen=True)
class Breakdown:
    code: str
    label: str
    choices: tuple[tuple[str, str], ...]
    # A breakdown added up from another one (the région from the person's département).
    derived_from: str = ""
    derive: Callable[[str], str] | None = None

    def label_of(self, key: str) -> str:
        return dict(self.choices).get(key) or NOT_GIVEN

    def counts(self, cells: Cells, code: str) -> dict[str, int]:
        if not self.derived_from:
            return cells.keys(code, self.code)
        derived: dict[str, int] = {}
        for key, value in cells.keys(code, self.derived_from).items():
            target = self.derive(key) if key else ""
            derived[target] = derived.get(target, 0) + value
        return derived


@dataclass(frozen=True)
class Measure:
    """A computed figure and what secrecy needs to decide whether it may be published."""

    kind: str  # "count", "rate", "ratio", "quantile", "mean"
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    observations: int = 0
    # The stored cells it is made of: a cell withheld in a published table withholds it too.
    cells: tuple[tuple[str, str, str], ...] = ()

    def published(self, *, masked: bool, threshold: int) -> float | None:
        if not masked:
            return self.value
        if self.kind == "count":
            return mask_count(None if self.value is None else int(self.value), threshold=threshold)
        if self.kind == "rate":
            return mask_rate(self.numerator, self.denominator, threshold=threshold)
        if self.kind == "ratio":
            # Services per parcours: only the parcours are people.
            if mask_count(self.denominator, threshold=threshold) is None:
                return None
            return self.value
        return mask_distribution_figure(self.value, self.observations, threshold=threshold)


def quantile(distribution: dict[int, int], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the observations at or below
    it. The median (share 0.5) of an even count is the mean of the two middle values."""
    total = sum(distribution.values())
    if total == 0:
        return None
    ordered = sorted(distribution.items())

    def value_at(rank: int) -> int:  # 1-based rank
        seen = 0
        for value, count in ordered:
            seen += count
            if seen >= rank:
                return value
        raise AssertionError("rank beyond the distribution")

    if share == 0.5:
        if total % 2:
            return float(value_at(total // 2 + 1))
        return (value_at(total // 2) + value_at(total // 2 + 1)) / 2
    return float(value_at(max(1, math.ceil(share * total))))


Cell = tuple[str, str, str]


def count(code: str, breakdown: str = "", key: str = "") -> Callable[[Cells], Measure]:
    return lambda cells: Measure(
        "count", cells.count(code, breakdown, key), cells=((code, breakdown, key),)
    )


def sum_of(code: str, breakdown: str) -> Callable[[Cells], Measure]:
    return lambda cells: Measure("count", sum(cells.keys(code, breakdown).values()))


def rate(numerator: Cell, denominator: Cell, kind: str = "rate") -> Callable[[Cells], Measure]:
    def measure(cells: Cells) -> Measure:
        top, bottom = cells.count(*numerator), cells.count(*denominator)
        value = top / bottom if bottom else None
        return Measure(kind, value, top, bottom, cells=(numerator, denominator))

    return measure


def quantile_of(cell: Cell, share: float = 0.5) -> Callable[[Cells], Measure]:
    def measure(cells: Cells) -> Measure:
        distribution = cells.distribution(*cell)
        return Measure(
            "quantile", quantile(distribution, share), observations=sum(distribution.values())
        )

    return measure


def mean_of(cell: Cell) -> Callable[[Cells], Measure]:
    def measure(cells: Cells) -> Measure:
        distribution = cells.distribution(*cell)
        total = sum(distribution.values())
        value = sum(v * n for v, n in distribution.items()) / total if total else None
        return Measure("mean", value, observations=total)

    return measure


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    definition: str
    unit: str
    theme: str
    measure: Callable[[Cells], Measure]
    fact: str = ""  # the fact whose breakdowns the indicator shows
    breakdowns: tuple[Breakdown, ...] = ()
    headline: bool = False  # shown as a key figure, month by month and by operator

    @property
    def is_percentage(self) -> bool:
        return self.unit == "%"


LEVELS = tuple((str(value), label) for value, label in Level.choices)
AGE_BANDS = (
    ("moins_26", "Moins de 26 ans"),
    ("26_44", "26 à 44 ans"),
    ("45_54", "45 à 54 ans"),
    ("55_plus", "55 ans et plus"),
)
YES_NO = (("oui", "Oui"), ("non", "Non"))
DEPARTEMENT_LABELS = tuple((code, f"{code} — {name}") for code, (name, _) in DEPARTEMENTS.items())

PROFILE = (
    Breakdown("sexe", "Sexe", tuple(Sex.choices)),
    Breakdown("tranche_age", "Tranche d'âge", AGE_BANDS),
    Breakdown("situation", "Situation professionnelle", tuple(EmploymentStatus.choices)),
    Breakdown("pcs", "Groupe socioprofessionnel (PCS)", tuple(PcsGroup.choices)),
    Breakdown("diplome", "Niveau de diplôme", tuple(DiplomaLevel.choices)),
    Breakdown("rqth", "Reconnaissance de la qualité de travailleur handicapé", YES_NO),
    Breakdown(
        "region",
        "Région de résidence",
        tuple(Region.choices),
        derived_from="departement",
        derive=region_of_departement,
    ),
    Breakdown("departement", "Département de résidence", DEPARTEMENT_LABELS),
)

VOLUMES = "Volumes"
LEVELS_THEME = "Niveaux de service"
DELAYS = "Délais et durées"
TYPOLOGY = "Typologie des parcours"
OUTCOMES = "Résultats pour les personnes"
THEMES = (VOLUMES, LEVELS_THEME, DELAYS, TYPOLOGY, OUTCOMES)

SIX_MONTH_ANSWERS = (
    ("situation_amelioree", "Situation améliorée", "disent que leur situation s'est améliorée"),
    ("formation", "Entrée en formation", "sont entrées en formation"),
    ("emploi_mobilite", "Changement d'emploi ou mobilité", "ont changé d'emploi ou de poste"),
    ("creation", "Création d'entreprise", "ont créé ou repris une entreprise"),
    ("projet_maintenu", "Projet maintenu", "poursuivent leur projet"),
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "entrees",
        "Parcours commencés",
        "Parcours ouverts pendant la période, quel que soit leur niveau d'entrée.",
        "parcours",
        VOLUMES,
        count("entrees"),
        fact="entrees",
        breakdowns=(Breakdown("niveau_entree", "Niveau d'entrée", LEVELS),),
        headline=True,
    ),
    Indicator(
        "sorties",
        "Parcours terminés",
        "Parcours clos pendant la période.",
        "parcours",
        VOLUMES,
        count("sorties"),
        fact="sorties",
        breakdowns=(
            Breakdown("motif", "Motif de fin", tuple(Parcours.ClosingReason.choices)),
            Breakdown("niveau_atteint", "Niveau atteint", LEVELS),
        ),
        headline=True,
    ),
    Indicator(
        "beneficiaires",
        "Personnes accompagnées",
        "Personnes distinctes dont un parcours a commencé ou s'est terminé pendant la période "
        "(chacune comptée une fois ; son âge est celui du premier de ces jours dans la période).",
        "personnes",
        VOLUMES,
        count("beneficiaires"),
        fact="beneficiaires",
        breakdowns=PROFILE,
        headline=True,
    ),
    Indicator(
        "prestations",
        "Prestations délivrées",
        "Entretiens, ateliers, sessions d'information et prestations externes délivrés pendant "
        "la période.",
        "prestations",
        VOLUMES,
        count("prestations"),
        fact="prestations",
        breakdowns=(
            Breakdown("type", "Type de prestation", tuple(Service.Kind.choices)),
            Breakdown("modalite", "Modalité", tuple(Service.Channel.choices)),
            Breakdown("niveau", "Niveau", LEVELS),
        ),
        headline=True,
    ),
    Indicator(
        "debuts_n1",
        "Entrées au niveau 1",
        "Parcours commencés au niveau 1 pendant la période.",
        "parcours",
        LEVELS_THEME,
        # The same parcours as the entries at level 1: one cell, masked alike everywhere.
        count("entrees", "niveau_entree", "1"),
    ),
    Indicator(
        "debuts_n2",
        "Entrées au niveau 2",
        "Parcours entrés au niveau 2 pendant la période, qu'ils y commencent ou viennent du "
        "niveau 1.",
        "parcours",
        LEVELS_THEME,
        count("debuts_n2"),
    ),
    Indicator(
        "debuts_n3",
        "Entrées au niveau 3",
        "Parcours entrés au niveau 3 pendant la période, qu'ils y commencent ou viennent du "
        "niveau 2.",
        "parcours",
        LEVELS_THEME,
        count("debuts_n3"),
    ),
    Indicator(
        "taux_passage_n2",
        "Taux de passage au niveau 2",
        "Entrées au niveau 2 rapportées aux entrées au niveau 1 de la même période.",
        "%",
        LEVELS_THEME,
        rate(("debuts_n2", "", ""), ("entrees", "niveau_entree", "1")),
        headline=True,
    ),
    Indicator(
        "entrees_directes_n3",
        "Entrées directes au niveau 3",
        "Parcours commencés directement au niveau 3 pendant la période.",
        "parcours",
        LEVELS_THEME,
        count("entrees", "niveau_entree", "3"),
    ),
    Indicator(
        "prestations_par_parcours",
        "Prestations par parcours terminé",
        "Nombre moyen de prestations reçues par les parcours clos pendant la période, sur "
        "toute leur durée.",
        "prestations par parcours",
        LEVELS_THEME,
        rate(("prestations_parcours_clos", "", ""), ("sorties", "", ""), kind="ratio"),
    ),
    Indicator(
        "delai_premier_rdv",
        "Délai médian jusqu'au premier entretien",
        "Jours entre la demande et le premier entretien individuel, pour les premiers entretiens "
        "tenus pendant la période (médiane).",
        "jours",
        DELAYS,
        quantile_of(("delai_premier_rdv", "", "")),
        headline=True,
    ),
    Indicator(
        "delai_premier_rdv_p80",
        "Délai jusqu'au premier entretien, 8 personnes sur 10",
        "Nombre de jours dans lequel 80 % des premiers entretiens de la période ont été tenus "
        "(80ᵉ centile).",
        "jours",
        DELAYS,
        quantile_of(("delai_premier_rdv", "", ""), share=0.8),
    ),
    Indicator(
        "duree_parcours_jours",
        "Durée médiane des parcours",
        "Jours entre l'ouverture et la clôture des parcours clos pendant la période (médiane).",
        "jours",
        DELAYS,
        quantile_of(("duree_parcours_jours", "", "")),
        headline=True,
    ),
    *(
        Indicator(
            f"duree_parcours_jours_{reason}",
            f"Durée médiane des parcours terminés : {label.lower()}",
            f"Jours entre l'ouverture et la fin des parcours terminés pendant la période pour le "
            f"motif « {label.lower()} » (médiane).",
            "jours",
            DELAYS,
            quantile_of(("duree_parcours_jours", "motif", reason)),
        )
        for reason, label in Parcours.ClosingReason.choices
    ),
    Indicator(
        "part_sorties_synthese",
        "Parcours terminés avec une synthèse",
        "Part des parcours clos pendant la période pour lesquels une synthèse a été produite.",
        "%",
        DELAYS,
        rate(("sorties_avec_synthese", "", ""), ("sorties", "", "")),
    ),
    Indicator(
        "types_projet",
        "Projets validés",
        "Parcours dont le projet a été validé pour la première fois pendant la période, par "
        "type de projet.",
        "parcours",
        TYPOLOGY,
        sum_of("types_projet", "type_projet"),
        fact="types_projet",
        breakdowns=(Breakdown("type_projet", "Type de projet", tuple(ProjectType.choices)),),
    ),
    Indicator(
        "strategies_retenues",
        "Stratégies retenues",
        "Pistes retenues par les personnes pendant la période (une personne peut en retenir "
        "plusieurs).",
        "stratégies",
        TYPOLOGY,
        sum_of("strategies_retenues", "strategie"),
        fact="strategies_retenues",
        breakdowns=(Breakdown("strategie", "Stratégie", tuple(StrategyOption.Kind.choices)),),
    ),
    Indicator(
        "orientations",
        "Orientations vers une autre structure",
        "Orientations proposées pendant la période, par type de structure.",
        "orientations",
        TYPOLOGY,
        sum_of("orientations", "cible"),
        fact="orientations",
        breakdowns=(Breakdown("cible", "Structure", tuple(Structure.Kind.choices)),),
    ),
    Indicator(
        "enquetes_prevues",
        "Enquêtes de suivi prévues",
        "Enquêtes de suivi prévues pour les parcours terminés pendant la période (à la fin et six "
        "mois après ; un parcours rouvert n'en compte plus, un parcours transféré n'en a pas).",
        "enquêtes",
        OUTCOMES,
        sum_of("enquetes_prevues", "moment"),
        fact="enquetes_prevues",
        breakdowns=(Breakdown("moment", "Moment", tuple(FollowUpSurvey.Moment.choices)),),
    ),
    Indicator(
        "satisfaction_n1",
        "Satisfaction à la fin du niveau 1",
        "Note moyenne (de 1 à 5) donnée à l'enquête de fin de parcours par les personnes dont le "
        "parcours s'est arrêté au niveau 1, pour les réponses reçues pendant la période.",
        "note sur 5",
        OUTCOMES,
        mean_of(("satisfaction", "niveau", "n1")),
    ),
    Indicator(
        "satisfaction_n23",
        "Satisfaction à la fin des niveaux 2 et 3",
        "Note moyenne (de 1 à 5) donnée à l'enquête de fin de parcours par les personnes dont le "
        "parcours a atteint le niveau 2 ou 3, pour les réponses reçues pendant la période.",
        "note sur 5",
        OUTCOMES,
        mean_of(("satisfaction", "niveau", "n23")),
    ),
    Indicator(
        "suivi_6_mois_repondants",
        "Réponses à l'enquête à 6 mois",
        "Personnes ayant répondu pendant la période à l'enquête envoyée six mois après la fin "
        "de leur parcours.",
        "personnes",
        OUTCOMES,
        count("suivi_6_mois", "reponse", "repondants"),
    ),
    *(
        Indicator(
            f"suivi_6_mois_{key}",
            f"À 6 mois : {label.lower()}",
            f"Part des personnes ayant répondu à l'enquête à 6 mois pendant la période qui {verb}.",
            "%",
            OUTCOMES,
            rate(("suivi_6_mois", "reponse", key), ("suivi_6_mois", "reponse", "repondants")),
        )
        for key, label, verb in SIX_MONTH_ANSWERS
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
HEADLINE = tuple(indicator for indicator in INDICATORS if indicator.headline)


def definitions() -> list[dict]:
    """The indicator set as data: the consolidation export carries it."""
    return [
        {
            "code": indicator.code,
            "libelle": indicator.label,
            "definition": indicator.definition,
            "unite": indicator.unit,
            "theme": indicator.theme,
            "ventilations": [
                {"code": b.code, "libelle": b.label, "modalites": dict(b.choices)}
                for b in indicator.breakdowns
            ],
        }
        for indicator in INDICATORS
    ]

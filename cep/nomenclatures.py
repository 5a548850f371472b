"""Code lists shared by every operator: employment statuses, PCS groups, diploma levels, COG.

They are code lists, not tables: they change by decree, rarely, and a code change is a migration of
the data that uses it, which a release handles better than an admin screen.
"""

from dataclasses import dataclass

from django.db import models


class EmploymentStatus(models.TextChoices):
    # Demandeurs d'emploi (catégories France Travail)
    JOB_SEEKER_A = "de_a", "Demandeur d'emploi inscrit — catégorie A"
    JOB_SEEKER_B = "de_b", "Demandeur d'emploi inscrit — catégorie B"
    JOB_SEEKER_C = "de_c", "Demandeur d'emploi inscrit — catégorie C"
    JOB_SEEKER_D = "de_d", "Demandeur d'emploi inscrit — catégorie D"
    JOB_SEEKER_E = "de_e", "Demandeur d'emploi inscrit — catégorie E"
    JOB_SEEKER_UNREGISTERED = "de_non_inscrit", "En recherche d'emploi, non inscrit"
    # Salariés du privé, par contrat
    EMPLOYEE_PERMANENT = "salarie_cdi", "Salarié du privé en CDI"
    EMPLOYEE_FIXED_TERM = "salarie_cdd", "Salarié du privé en CDD"
    EMPLOYEE_TEMPORARY = "salarie_interim", "Salarié intérimaire"
    EMPLOYEE_WORK_STUDY = (
        "salarie_alternance",
        "Salarié en alternance (apprentissage, professionnalisation)",
    )
    EMPLOYEE_SUBSIDISED = "salarie_contrat_aide", "Salarié en contrat aidé ou d'insertion"
    # Agents publics
    CIVIL_SERVANT_TENURED = "agent_titulaire", "Agent public titulaire"
    CIVIL_SERVANT_CONTRACT = "agent_contractuel", "Agent public contractuel"
    CIVIL_SERVANT_TEMPORARY = "agent_vacataire", "Agent public vacataire"
    # Non-salariés
    SELF_EMPLOYED = "independant", "Travailleur indépendant, chef d'entreprise"
    CRAFTSPERSON = "artisan", "Artisan ou commerçant"
    LIBERAL_PROFESSION = "profession_liberale", "Profession libérale"
    MICRO_ENTREPRENEUR = "micro_entrepreneur", "Micro-entrepreneur"
    # En emploi malgré un statut d'inactif
    STUDENT_EMPLOYED = "etudiant_en_emploi", "Étudiant exerçant une activité professionnelle"
    RETIREE_EMPLOYED = "retraite_en_emploi", "Retraité en cumul emploi-retraite"
    # Inactifs : hors du champ du CEP
    PUPIL = "eleve", "Élève (scolarité en cours)"
    STUDENT = "etudiant", "Étudiant sans activité professionnelle"
    RETIREE = "retraite", "Retraité sans activité professionnelle"
    INACTIVE = "inactif", "Sans emploi et ne recherchant pas d'emploi"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str


ELIGIBLE_REASON = "Personne active : le conseil en évolution professionnelle lui est ouvert."

# Why each inactive status is outside the CEP, and where the person can be pointed instead.
REFUSAL_REASONS: dict[str, str] = {
    EmploymentStatus.PUPIL: (
        "Un élève n'est pas encore actif : le CEP ne peut pas l'accompagner. "
        "Orientez-le vers le centre d'information et d'orientation (CIO) de son secteur."
    ),
    EmploymentStatus.STUDENT: (
        "Un étudiant sans activité professionnelle n'est pas actif : le CEP ne peut pas "
        "l'accompagner. Orientez-le vers le service d'orientation de son établissement ; "
        "s'il travaille, choisissez « Étudiant exerçant une activité professionnelle »."
    ),
    EmploymentStatus.RETIREE: (
        "Une personne retraitée sans activité professionnelle n'est plus active : le CEP ne peut "
        "pas l'accompagner. Si elle reprend un emploi, choisissez « Retraité en cumul "
        "emploi-retraite »."
    ),
    EmploymentStatus.INACTIVE: (
        "Une personne sans emploi qui ne recherche pas d'emploi n'est pas active : le CEP ne peut "
        "pas l'accompagner. Si elle recherche un emploi, choisissez « En recherche d'emploi, "
        "non inscrit » ou sa catégorie de demandeur d'emploi."
    ),
}


def check_eligibility(status: str) -> Eligibility:
    """The CEP is open to every actif (art. L. 6111-6 du Code du travail), and only to them."""
    if status not in EmploymentStatus.values:
        raise ValueError(f"Unknown employment status: {status!r}")
    if status in REFUSAL_REASONS:
        return Eligibility(eligible=False, reason=REFUSAL_REASONS[status])
    return Eligibility(eligible=True, reason=ELIGIBLE_REASON)


JOB_SEEKER_STATUSES = frozenset(
    {
        EmploymentStatus.JOB_SEEKER_A,
        EmploymentStatus.JOB_SEEKER_B,
        EmploymentStatus.JOB_SEEKER_C,
        EmploymentStatus.JOB_SEEKER_D,
        EmploymentStatus.JOB_SEEKER_E,
        EmploymentStatus.JOB_SEEKER_UNREGISTERED,
    }
)


class Sex(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"


class PcsGroup(models.TextChoices):
    """Groupes socioprofessionnels de la PCS 2020 (Insee) utiles pour des actifs."""

    FARMERS = "1", "Agriculteurs exploitants"
    CRAFTS_TRADE_BUSINESS = "2", "Artisans, commerçants et chefs d'entreprise"
    EXECUTIVES = "3", "Cadres et professions intellectuelles supérieures"
    INTERMEDIATE = "4", "Professions intermédiaires"
    EMPLOYEES = "5", "Employés"
    WORKERS = "6", "Ouvriers"
    NEVER_WORKED = "8", "Personnes n'ayant jamais travaillé"


class DiplomaLevel(models.TextChoices):
    """Niveaux du cadre national des certifications professionnelles (décret du 8 janvier 2019)."""

    LEVEL_1 = "1", "Niveau 1 — maîtrise des savoirs de base"
    LEVEL_2 = "2", "Niveau 2 — aptitude à effectuer des activités simples"
    LEVEL_3 = "3", "Niveau 3 — CAP, BEP"
    LEVEL_4 = "4", "Niveau 4 — baccalauréat"
    LEVEL_5 = "5", "Niveau 5 — bac + 2 (BTS, DEUST)"
    LEVEL_6 = "6", "Niveau 6 — bac + 3 ou 4 (licence, BUT)"
    LEVEL_7 = "7", "Niveau 7 — bac + 5 (master, diplôme d'ingénieur)"
    LEVEL_8 = "8", "Niveau 8 — doctorat"


class Region(models.TextChoices):
    """Régions (code officiel géographique de l'Insee)."""

    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"
    ILE_DE_FRANCE = "11", "Île-de-France"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    NORMANDIE = "28", "Normandie"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    GRAND_EST = "44", "Grand Est"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    BRETAGNE = "53", "Bretagne"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    CORSE = "94", "Corse"


# code: (name, region code)
DEPARTEMENTS: dict[str, tuple[str, str]] = {
    "01": ("Ain", "84"),
    "02": ("Aisne", "32"),
    "03": ("Allier", "84"),
    "04": ("Alpes-de-Haute-Provence", "93"),
    "05": ("Hautes-Alpes", "93"),
    "06": ("Alpes-Maritimes", "93"),
    "07": ("Ardèche", "84"),
    "08": ("Ardennes", "44"),
    "09": ("Ariège", "76"),
    "10": ("Aube", "44"),
    "11": ("Aude", "76"),
    "12": ("Aveyron", "76"),
    "13": ("Bouches-du-Rhône", "93"),
    "14": ("Calvados", "28"),
    "15": ("Cantal", "84"),
    "16": ("Charente", "75"),
    "17": ("Charente-Maritime", "75"),
    "18": ("Cher", "24"),
    "19": ("Corrèze", "75"),
    "2A": ("Corse-du-Sud", "94"),
    "2B": ("Haute-Corse", "94"),
    "21": ("Côte-d'Or", "27"),
    "22": ("Côtes-d'Armor", "53"),
    "23": ("Creuse", "75"),
    "24": ("Dordogne", "75"),
    "25": ("Doubs", "27"),
    "26": ("Drôme", "84"),
    "27": ("Eure", "28"),
    "28": ("Eure-et-Loir", "24"),
    "29": ("Finistère", "53"),
    "30": ("Gard", "76"),
    "31": ("Haute-Garonne", "76"),
    "32": ("Gers", "76"),
    "33": ("Gironde", "75"),
    "34": ("Hérault", "76"),
    "35": ("Ille-et-Vilaine", "53"),
    "36": ("Indre", "24"),
    "37": ("Indre-et-Loire", "24"),
    "38": ("Isère", "84"),
    "39": ("Jura", "27"),
    "40": ("Landes", "75"),
    "41": ("Loir-et-Cher", "24"),
    "42": ("Loire", "84"),
    "43": ("Haute-Loire", "84"),
    "44": ("Loire-Atlantique", "52"),
    "45": ("Loiret", "24"),
    "46": ("Lot", "76"),
    "47": ("Lot-et-Garonne", "75"),
    "48": ("Lozère", "76"),
    "49": ("Maine-et-Loire", "52"),
    "50": ("Manche", "28"),
    "51": ("Marne", "44"),
    "52": ("Haute-Marne", "44"),
    "53": ("Mayenne", "52"),
    "54": ("Meurthe-et-Moselle", "44"),
    "55": ("Meuse", "44"),
    "56": ("Morbihan", "53"),
    "57": ("Moselle", "44"),
    "58": ("Nièvre", "27"),
    "59": ("Nord", "32"),
    "60": ("Oise", "32"),
    "61": ("Orne", "28"),
    "62": ("Pas-de-Calais", "32"),
    "63": ("Puy-de-Dôme", "84"),
    "64": ("Pyrénées-Atlantiques", "75"),
    "65": ("Hautes-Pyrénées", "76"),
    "66": ("Pyrénées-Orientales", "76"),
    "67": ("Bas-Rhin", "44"),
    "68": ("Haut-Rhin", "44"),
    "69": ("Rhône", "84"),
    "70": ("Haute-Saône", "27"),
    "71": ("Saône-et-Loire", "27"),
    "72": ("Sarthe", "52"),
    "73": ("Savoie", "84"),
    "74": ("Haute-Savoie", "84"),
    "75": ("Paris", "11"),
    "76": ("Seine-Maritime", "28"),
    "77": ("Seine-et-Marne", "11"),
    "78": ("Yvelines", "11"),
    "79": ("Deux-Sèvres", "75"),
    "80": ("Somme", "32"),
    "81": ("Tarn", "76"),
    "82": ("Tarn-et-Garonne", "76"),
    "83": ("Var", "93"),
    "84": ("Vaucluse", "93"),
    "85": ("Vendée", "52"),
    "86": ("Vienne", "75"),
    "87": ("Haute-Vienne", "75"),
    "88": ("Vosges", "44"),
    "89": ("Yonne", "27"),
    "90": ("Territoire de Belfort", "27"),
    "91": ("Essonne", "11"),
    "92": ("Hauts-de-Seine", "11"),
    "93": ("Seine-Saint-Denis", "11"),
    "94": ("Val-de-Marne", "11"),
    "95": ("Val-d'Oise", "11"),
    "971": ("Guadeloupe", "01"),
    "972": ("Martinique", "02"),
    "973": ("Guyane", "03"),
    "974": ("La Réunion", "04"),
    "976": ("Mayotte", "06"),
}

DEPARTEMENT_CHOICES = [(code, f"{code} — {name}") for code, (name, _) in DEPARTEMENTS.items()]


def region_of_departement(code: str) -> str:
    return DEPARTEMENTS[code][1]


def departement_of_postcode(postcode: str) -> str | None:
    """Corsican postcodes start with 20 and overseas ones with 97: the rest map by two digits."""
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode.startswith("97"):
        code = postcode[:3]
    elif postcode.startswith("20"):
        code = "2A" if int(postcode) < 20200 else "2B"
    else:
        code = postcode[:2]
    return code if code in DEPARTEMENTS else None


class ProjectType(models.TextChoices):
    """Types of career project named by the cahier des charges of the CEP."""

    INSERTION = "insertion", "Insertion professionnelle"
    INTERNAL_MOBILITY = "mobilite_interne", "Mobilité interne"
    EXTERNAL_MOBILITY = "mobilite_externe", "Mobilité externe"
    RECONVERSION = "reconversion", "Reconversion"
    RETURN_TO_WORK = "retour_emploi", "Retour à l'emploi"
    BUSINESS_CREATION = "creation_reprise", "Création ou reprise d'entreprise"


class StatusGroup(models.TextChoices):
    """Employment statuses grouped the way routing rules speak of them."""

    JOB_SEEKER = "demandeur_emploi", "Demandeur d'emploi"
    EMPLOYEE = "salarie_prive", "Salarié du privé"
    CIVIL_SERVANT = "agent_public", "Agent public"
    SELF_EMPLOYED = "non_salarie", "Non-salarié"
    STUDENT_OR_RETIREE_EMPLOYED = "etudiant_retraite_en_emploi", "Étudiant ou retraité en emploi"


STATUS_GROUP_OF: dict[str, str] = {
    **dict.fromkeys(JOB_SEEKER_STATUSES, StatusGroup.JOB_SEEKER),
    **dict.fromkeys(
        [
            EmploymentStatus.EMPLOYEE_PERMANENT,
            EmploymentStatus.EMPLOYEE_FIXED_TERM,
            EmploymentStatus.EMPLOYEE_TEMPORARY,
            EmploymentStatus.EMPLOYEE_WORK_STUDY,
            EmploymentStatus.EMPLOYEE_SUBSIDISED,
        ],
        StatusGroup.EMPLOYEE,
    ),
    **dict.fromkeys(
        [
            EmploymentStatus.CIVIL_SERVANT_TENURED,
            EmploymentStatus.CIVIL_SERVANT_CONTRACT,
            EmploymentStatus.CIVIL_SERVANT_TEMPORARY,
        ],
        StatusGroup.CIVIL_SERVANT,
    ),
    **dict.fromkeys(
        [
            EmploymentStatus.SELF_EMPLOYED,
            EmploymentStatus.CRAFTSPERSON,
            EmploymentStatus.LIBERAL_PROFESSION,
            EmploymentStatus.MICRO_ENTREPRENEUR,
        ],
        StatusGroup.SELF_EMPLOYED,
    ),
    **dict.fromkeys(
        [EmploymentStatus.STUDENT_EMPLOYED, EmploymentStatus.RETIREE_EMPLOYED],
        StatusGroup.STUDENT_OR_RETIREE_EMPLOYED,
    ),
}


def age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))

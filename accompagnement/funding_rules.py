"""Eligibility rules of the funding schemes a CEP counsellor mobilises (see FUNDING.md).

Each rule answers eligible / not eligible / unknown with its reasons and the facts still to ask:
the rules advise, the counsellor decides (and may override with a written reason). Thresholds and
amounts are dated `FundingParameter` rows, read for the day of the evaluation, because decrees
change them and a past plan must be re-read with the values of its day.

Conditions combine in three-valued logic: one known failed condition makes the scheme not
eligible; otherwise one unknown fact makes it unknown; otherwise it is eligible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from accompagnement.models import FundingParameter
from cep import formatting
from cep.nomenclatures import (
    JOB_SEEKER_STATUSES,
    REFUSAL_REASONS,
    STATUS_GROUP_OF,
    DiplomaLevel,
    EmploymentStatus,
    StatusGroup,
)

if TYPE_CHECKING:
    from accompagnement.models import DeclaredFacts
    from cep.models import Beneficiary

ELIGIBLE = "eligible"
NOT_ELIGIBLE = "not_eligible"
UNKNOWN = "unknown"

REGISTERED_JOB_SEEKER_STATUSES = JOB_SEEKER_STATUSES - {EmploymentStatus.JOB_SEEKER_UNREGISTERED}

# Names of the facts to ask for, as the counsellor will read them.
FACT_EMPLOYMENT = "nature de l'emploi (salarié du privé, agent public ou indépendant)"
FACT_SECTOR = "secteur de l'emploi (privé ou public)"
FACT_CONTRACT = "type de contrat (CDI ou CDD)"
FACT_RQTH = "reconnaissance de la qualité de travailleur handicapé (RQTH)"
FACT_DIPLOMA = "niveau de qualification (diplôme le plus élevé)"
FACT_MONTHS_TOTAL = "durée totale de travail salarié"
FACT_MONTHS_COMPANY = "ancienneté dans l'entreprise actuelle"
FACT_MONTHS_5_YEARS = "durée de travail salarié sur les 5 dernières années"
FACT_MONTHS_FIXED_TERM = "durée en CDD sur les 12 derniers mois"
FACT_YEARS_CONTINUOUS = "durée d'activité salariée continue"
FACT_RESIGNED = "démission déjà donnée ou non"
FACT_CPF_BALANCE = "solde du compte CPF"
FACT_EMPLOYER_TOPS_UP = "accord de l'employeur pour abonder le CPF"
FACT_REGIONAL_RULES = "conditions du programme régional visé"


# --- Dated parameters -------------------------------------------------------------------------


class MissingFundingParameter(LookupError):
    pass


def _missing(code: str, on: date) -> MissingFundingParameter:
    return MissingFundingParameter(
        f"Aucun paramètre de financement « {code} » en vigueur au {on:%d/%m/%Y} : "
        "ajoutez-le dans l'administration (paramètres de financement)."
    )


def parameter_history(code: str) -> Callable[[date], Decimal]:
    """Every dated value of `code`, read in one query: a function giving the value in force on
    a day (for the several dates of one plan)."""
    rows = list(
        FundingParameter.objects.filter(code=code)
        .order_by("valid_from")
        .values_list("valid_from", "value")
    )

    def on(day: date) -> Decimal:
        values = [value for valid_from, value in rows if valid_from <= day]
        if not values:
            raise _missing(code, day)
        return values[-1]

    return on


def parameter(code: str, on: date) -> Decimal:
    """The value of `code` in force on `on`: the row with the latest valid_from <= on."""
    return parameter_history(code)(on)


class ParameterSet:
    """Every parameter in force on one day, read in one query for a batch of rules."""

    def __init__(self, values: dict[str, Decimal], on: date):
        self.values = values
        self.on = on

    @classmethod
    def load(cls, on: date) -> ParameterSet:
        # Ascending valid_from: the last row seen for a code is the one in force. Portable (no
        # DISTINCT ON) and the table holds a few dozen rows.
        rows = (
            FundingParameter.objects.filter(valid_from__lte=on)
            .order_by("code", "valid_from")
            .values_list("code", "value")
        )
        return cls(dict(rows), on)

    def __getitem__(self, code: str) -> Decimal:
        try:
            return self.values[code]
        except KeyError:
            raise _missing(code, self.on) from None


# --- Facts and verdicts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What is known of the person; None (or "" for the diploma) means unknown, never "no"."""

    employment_status: str
    rqth: bool | None = None
    diploma_level: str = ""
    months_salaried_total: int | None = None
    months_current_employer: int | None = None
    months_salaried_last_5_years: int | None = None
    months_fixed_term_last_12: int | None = None
    years_continuous_salaried: int | None = None
    cpf_balance: Decimal | None = None
    employer_tops_up: bool | None = None
    # Démission-reconversion: the CEP must be requested before resigning.
    resigned: bool | None = None

    def __post_init__(self):
        if self.employment_status not in EmploymentStatus.values:
            raise ValueError(f"Unknown employment status: {self.employment_status!r}")
        if self.diploma_level and self.diploma_level not in DiplomaLevel.values:
            raise ValueError(f"Unknown diploma level: {self.diploma_level!r}")

    @classmethod
    def from_records(cls, beneficiary: Beneficiary, declared: DeclaredFacts | None) -> Facts:
        base = {
            "employment_status": beneficiary.employment_status,
            "rqth": beneficiary.rqth,
            "diploma_level": beneficiary.diploma_level,
        }
        if declared is None:
            return cls(**base)
        return cls(
            **base,
            months_salaried_total=declared.months_salaried_total,
            months_current_employer=declared.months_current_employer,
            months_salaried_last_5_years=declared.months_salaried_last_5_years,
            months_fixed_term_last_12=declared.months_fixed_term_last_12,
            years_continuous_salaried=declared.years_continuous_salaried,
            cpf_balance=declared.cpf_balance,
            employer_tops_up=declared.employer_tops_up,
            resigned=declared.resigned,
        )

    @property
    def status_label(self) -> str:
        return EmploymentStatus(self.employment_status).label

    @property
    def group(self) -> str | None:
        return STATUS_GROUP_OF.get(self.employment_status)

    @property
    def is_actif(self) -> bool:
        return self.employment_status not in REFUSAL_REASONS

    @property
    def private_employee(self) -> bool | None:
        # A student or retiree in work may be salaried, public or self-employed: unknown.
        if self.group == StatusGroup.STUDENT_OR_RETIREE_EMPLOYED:
            return None
        return self.group == StatusGroup.EMPLOYEE

    @property
    def public_sector(self) -> bool | None:
        if self.group == StatusGroup.STUDENT_OR_RETIREE_EMPLOYED:
            return None
        return self.group == StatusGroup.CIVIL_SERVANT

    @property
    def contract(self) -> str | None:
        """The contract, "cdi" or "cdd"; None when the status does not tell (temp work...)."""
        return {
            EmploymentStatus.EMPLOYEE_PERMANENT: "cdi",
            EmploymentStatus.EMPLOYEE_FIXED_TERM: "cdd",
        }.get(self.employment_status)


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def __post_init__(self):
        if self.status not in (ELIGIBLE, NOT_ELIGIBLE, UNKNOWN):
            raise ValueError(f"Unknown verdict status: {self.status!r}")


# --- Three-valued conditions ------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    ok: bool | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()


def _flat(parts: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    # Ordered and without repeats: a fact asked twice reads as sloppiness.
    return tuple(dict.fromkeys(item for part in parts for item in part))


def _and(*checks: _Check) -> _Check:
    failed = [c for c in checks if c.ok is False]
    if failed:
        return _Check(False, _flat(c.reasons for c in failed))
    if any(c.ok is None for c in checks):
        return _Check(
            None, _flat(c.reasons for c in checks), _flat(c.missing for c in checks if c.ok is None)
        )
    return _Check(True, _flat(c.reasons for c in checks))


def _or(*checks: _Check) -> _Check:
    for c in checks:
        if c.ok:
            return c
    if any(c.ok is None for c in checks):
        return _Check(
            None, _flat(c.reasons for c in checks), _flat(c.missing for c in checks if c.ok is None)
        )
    return _Check(False, _flat(c.reasons for c in checks))


def _verdict(check: _Check, notes: tuple[str, ...] = ()) -> Verdict:
    if check.ok is False:
        return Verdict(NOT_ELIGIBLE, check.reasons)
    if check.ok is None:
        return Verdict(UNKNOWN, check.reasons + notes, check.missing)
    return Verdict(ELIGIBLE, check.reasons + notes)


def _num(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return str(value).replace(".", ",")


def _euros(amount: Decimal) -> str:
    """100 €, 1 500 €, 103,20 € (cep.formatting.euros, without the cents of a round amount)."""
    return formatting.euros(amount).replace(",00" + formatting.NBSP, formatting.NBSP)


def _declared(value: int) -> str:
    return f"{value} déclaré" if value < 2 else f"{value} déclarés"


def _at_least(
    value: int | None, threshold: Decimal, *, what: str, fact: str, scheme: str
) -> _Check:
    """`scheme` reads after "condition": "du PTP", "de la démission-reconversion"."""
    t = _num(threshold)
    if value is None:
        return _Check(
            None,
            (f"{fact[0].upper()}{fact[1:]} non renseignée : il faut au moins {t} {what}.",),
            (fact,),
        )
    if value < threshold:
        return _Check(
            False,
            (f"Moins de {t} {what} ({_declared(value)}) : condition {scheme} non remplie.",),
        )
    return _Check(True, (f"Au moins {t} {what} ({_declared(value)}) : condition remplie.",))


def _private_employee(facts: Facts, reserved: str) -> _Check:
    """`reserved` completes "... : " e.g. "le PTP est réservé aux salariés du privé"."""
    situation = f"Situation « {facts.status_label} »"
    if facts.private_employee is None:
        return _Check(
            None,
            (f"{situation} : emploi salarié du privé ou non, à préciser.",),
            (FACT_EMPLOYMENT,),
        )
    if not facts.private_employee:
        return _Check(False, (f"{situation} : {reserved} ; condition non remplie.",))
    return _Check(True, (f"{situation} : salarié du privé.",))


def _rqth(facts: Facts, *, held: str, failed: str, unknown: str) -> _Check:
    if facts.rqth is None:
        return _Check(None, (unknown,), (FACT_RQTH,))
    return _Check(True, (held,)) if facts.rqth else _Check(False, (failed,))


# --- Rules, one per scheme --------------------------------------------------------------------


def cpf(facts: Facts, params: ParameterSet) -> Verdict:
    participation = params["cpf_participation"]
    if not facts.is_actif:
        actif = _Check(
            False,
            (
                f"Situation « {facts.status_label} » : le CPF est mobilisable par les actifs ; "
                "condition non remplie.",
            ),
        )
    else:
        actif = _Check(True, ())
    if facts.cpf_balance is None:
        balance = _Check(
            None,
            ("Solde du compte CPF non renseigné : les droits disponibles ne sont pas connus.",),
            (FACT_CPF_BALANCE,),
        )
    elif facts.cpf_balance > 0:
        balance = _Check(
            True,
            (
                f"Solde CPF déclaré : {_euros(facts.cpf_balance)} ; il finance des formations "
                "certifiantes, la VAE, le bilan de compétences, le permis de conduire ou "
                "l'accompagnement à la création d'entreprise.",
            ),
        )
    else:
        balance = _Check(
            False,
            (
                "Solde CPF déclaré à 0\u00a0€ : aucun droit à mobiliser ; condition du CPF non "
                "remplie (un abondement reste possible).",
            ),
        )
    if participation == 0:
        notes: tuple[str, ...] = ("Pas de participation forfaitaire du titulaire à cette date.",)
    else:
        notes = (
            f"Participation forfaitaire du titulaire : {_euros(participation)} (montant en "
            f"vigueur au {params.on:%d/%m/%Y}, indexé chaque année), non due par les demandeurs "
            "d'emploi ni lorsqu'un employeur ou un autre financeur abonde.",
        )
        if facts.employment_status in REGISTERED_JOB_SEEKER_STATUSES:
            notes += ("Demandeur d'emploi inscrit : la participation forfaitaire n'est pas due.",)
        elif facts.employer_tops_up:
            notes += ("L'employeur abonde : la participation forfaitaire n'est pas due.",)
    return _verdict(_and(actif, balance), notes)


def ptp(facts: Facts, params: ParameterSet) -> Verdict:
    employee = _private_employee(facts, "le PTP est réservé aux salariés du privé")
    if facts.contract == "cdi":
        seniority = _and(
            _at_least(
                facts.months_salaried_total,
                params["ptp_cdi_months_total"],
                what="mois de travail salarié au total",
                fact=FACT_MONTHS_TOTAL,
                scheme="du PTP",
            ),
            _at_least(
                facts.months_current_employer,
                params["ptp_cdi_months_company"],
                what="mois dans l'entreprise actuelle",
                fact=FACT_MONTHS_COMPANY,
                scheme="du PTP",
            ),
        )
    elif facts.contract == "cdd":
        seniority = _and(
            _at_least(
                facts.months_salaried_last_5_years,
                params["ptp_cdd_months_5_years"],
                what="mois de travail salarié sur les 5 dernières années",
                fact=FACT_MONTHS_5_YEARS,
                scheme="du PTP",
            ),
            _at_least(
                facts.months_fixed_term_last_12,
                params["ptp_cdd_months_fixed_term_12"],
                what="mois en CDD sur les 12 derniers mois",
                fact=FACT_MONTHS_FIXED_TERM,
                scheme="du PTP",
            ),
        )
    else:
        # The seniority conditions differ between CDI and CDD; the status alone does not tell.
        seniority = _Check(
            None,
            ("Type de contrat à préciser : les conditions d'ancienneté du PTP en dépendent.",),
            (FACT_CONTRACT,),
        )
    waiver = _rqth(
        facts,
        held="RQTH déclarée : les conditions d'ancienneté du PTP ne s'appliquent pas.",
        failed=(
            "Pas de RQTH déclarée : les conditions d'ancienneté s'appliquent (certains "
            "licenciements les lèvent aussi, à vérifier)."
        ),
        unknown="RQTH non renseignée : elle lèverait les conditions d'ancienneté.",
    )
    notes = ("Le dossier doit montrer que le projet a été travaillé, en général lors d'un CEP.",)
    if employee.ok is False:
        return _verdict(employee)
    return _verdict(_and(employee, _or(seniority, waiver)), notes)


def demission_reconversion(facts: Facts, params: ParameterSet) -> Verdict:
    employee = _private_employee(
        facts, "la démission-reconversion est réservée aux salariés du privé"
    )
    years = _at_least(
        facts.years_continuous_salaried,
        params["demission_years_continuous"],
        what="ans d'activité salariée continue",
        fact=FACT_YEARS_CONTINUOUS,
        scheme="de la démission-reconversion",
    )
    if facts.resigned is None:
        before = _Check(
            None,
            ("Démission non renseignée : le CEP doit être demandé avant de démissionner.",),
            (FACT_RESIGNED,),
        )
    elif facts.resigned:
        before = _Check(
            False,
            (
                "Démission déjà donnée : le CEP doit être demandé avant de démissionner ; "
                "condition de la démission-reconversion non remplie.",
            ),
        )
    else:
        before = _Check(True, ("Pas encore de démission : le CEP est demandé à temps.",))
    notes = (
        "Transitions Pro doit attester que le projet (formation ou création d'entreprise) est "
        "réel et sérieux ; l'assurance chômage indemnise ensuite.",
    )
    return _verdict(_and(employee, years, before), notes)


def pro_a(facts: Facts, params: ParameterSet) -> Verdict:
    employee = _private_employee(facts, "Pro-A est réservée aux salariés du privé")
    if facts.contract == "cdi":
        contract = _Check(True, ("Contrat à durée indéterminée.",))
    elif facts.contract == "cdd":
        contract = _Check(
            False,
            ("Salarié en CDD : Pro-A est réservée aux salariés en CDI ; condition non remplie.",),
        )
    else:
        contract = _Check(
            None, ("Type de contrat à préciser : Pro-A est réservée aux CDI.",), (FACT_CONTRACT,)
        )
    max_level = params["pro_a_max_diploma_level"]
    if not facts.diploma_level:
        level = _Check(
            None,
            (f"Niveau de qualification non renseigné : il doit être au plus {_num(max_level)}.",),
            (FACT_DIPLOMA,),
        )
    elif int(facts.diploma_level) > max_level:
        level = _Check(
            False,
            (
                f"Qualification de niveau {facts.diploma_level}, au-delà du niveau "
                f"{_num(max_level)} : condition de Pro-A non remplie.",
            ),
        )
    else:
        level = _Check(
            True,
            (
                f"Qualification de niveau {facts.diploma_level}, au plus {_num(max_level)} : "
                "condition remplie.",
            ),
        )
    return _verdict(_and(employee, contract, level))


def plan_developpement(facts: Facts, params: ParameterSet) -> Verdict:
    employee = _private_employee(
        facts, "le plan de développement des compétences concerne les salariés du privé"
    )
    notes = ("C'est l'employeur qui décide d'y inscrire la formation (sur le temps de travail).",)
    return _verdict(employee, notes)


def aif(facts: Facts, params: ParameterSet) -> Verdict:
    status = facts.employment_status
    if status in REGISTERED_JOB_SEEKER_STATUSES:
        check = _Check(True, ("Demandeur d'emploi inscrit à France Travail.",))
    elif status == EmploymentStatus.JOB_SEEKER_UNREGISTERED:
        check = _Check(
            False,
            (
                "Pas inscrit à France Travail : l'AIF est réservée aux demandeurs d'emploi "
                "inscrits ; condition non remplie.",
            ),
        )
    else:
        check = _Check(
            False,
            (
                f"Situation « {facts.status_label} » : l'AIF est réservée aux demandeurs "
                "d'emploi inscrits ; condition non remplie.",
            ),
        )
    notes = (
        "France Travail ne l'accorde que si aucun dispositif collectif ne couvre la formation.",
    )
    return _verdict(check, notes)


def region(facts: Facts, params: ParameterSet) -> Verdict:
    status = facts.employment_status
    if status in REGISTERED_JOB_SEEKER_STATUSES:
        check = _Check(
            True, ("Demandeur d'emploi inscrit : public des programmes régionaux de formation.",)
        )
    elif not facts.is_actif:
        check = _Check(
            False,
            (
                f"Situation « {facts.status_label} » : les aides régionales à la formation visent "
                "les demandeurs d'emploi et certains actifs ; condition non remplie.",
            ),
        )
    else:
        check = _Check(
            None,
            (f"Situation « {facts.status_label} » : éligibilité selon les règles régionales.",),
            (FACT_REGIONAL_RULES,),
        )
    return _verdict(check)


def agefiph(facts: Facts, params: ParameterSet) -> Verdict:
    situation = f"Situation « {facts.status_label} »"
    if not facts.is_actif:
        sector = _Check(
            False,
            (
                f"{situation} : l'Agefiph aide les actifs du privé et les demandeurs d'emploi ; "
                "condition non remplie.",
            ),
        )
    elif facts.public_sector is None:
        sector = _Check(
            None, (f"{situation} : secteur privé ou public à préciser.",), (FACT_SECTOR,)
        )
    elif facts.public_sector:
        sector = _Check(
            False,
            (
                f"{situation} : l'Agefiph n'intervient pas pour les agents publics (voir le "
                "FIPHFP) ; condition non remplie.",
            ),
        )
    else:
        sector = _Check(
            True, (f"{situation} : relève du secteur privé ou de la recherche d'emploi.",)
        )
    disability = _rqth(
        facts,
        held="RQTH déclarée.",
        failed="Pas de RQTH (ou reconnaissance équivalente) déclarée : condition de l'Agefiph "
        "non remplie.",
        unknown="RQTH non renseignée : l'Agefiph la demande.",
    )
    return _verdict(_and(sector, disability))


def fiphfp(facts: Facts, params: ParameterSet) -> Verdict:
    situation = f"Situation « {facts.status_label} »"
    if facts.public_sector is None:
        sector = _Check(
            None, (f"{situation} : secteur privé ou public à préciser.",), (FACT_SECTOR,)
        )
    elif facts.public_sector:
        sector = _Check(True, (f"{situation} : agent public.",))
    else:
        sector = _Check(
            False,
            (f"{situation} : le FIPHFP est réservé aux agents publics ; condition non remplie.",),
        )
    disability = _rqth(
        facts,
        held="Handicap reconnu (RQTH) déclaré.",
        failed="Pas de handicap reconnu (RQTH) déclaré : condition du FIPHFP non remplie.",
        unknown="RQTH non renseignée : le FIPHFP demande un handicap reconnu.",
    )
    return _verdict(_and(sector, disability))


def abondement_employeur(facts: Facts, params: ParameterSet) -> Verdict:
    employee = _private_employee(facts, "l'abondement employeur concerne les salariés du privé")
    if facts.employer_tops_up is None:
        agreement = _Check(
            None,
            ("Accord de l'employeur non renseigné : l'abondement est à sa discrétion.",),
            (FACT_EMPLOYER_TOPS_UP,),
        )
    elif facts.employer_tops_up:
        agreement = _Check(
            True,
            ("L'employeur accepte d'abonder : il couvre la part que le solde CPF ne couvre pas.",),
        )
    else:
        agreement = _Check(
            False, ("L'employeur n'abonde pas le CPF : condition de l'abondement non remplie.",)
        )
    return _verdict(_and(employee, agreement))


# --- Registry ---------------------------------------------------------------------------------

Rule = Callable[[Facts, ParameterSet], Verdict]


@dataclass(frozen=True)
class Scheme:
    code: str
    label: str
    funder: str
    rule: Rule


SCHEMES: dict[str, Scheme] = {
    s.code: s
    for s in [
        Scheme("cpf", "Compte personnel de formation (CPF)", "Caisse des dépôts", cpf),
        Scheme("ptp", "Projet de transition professionnelle (PTP)", "Transitions Pro", ptp),
        Scheme(
            "demission_reconversion",
            "Démission pour reconversion",
            "Assurance chômage, après attestation de Transitions Pro",
            demission_reconversion,
        ),
        Scheme(
            "pro_a",
            "Reconversion ou promotion par alternance (Pro-A)",
            "OPCO de la branche de l'employeur",
            pro_a,
        ),
        Scheme(
            "plan_developpement",
            "Plan de développement des compétences",
            "Employeur (avec son OPCO pour les petites entreprises)",
            plan_developpement,
        ),
        Scheme("aif", "Aide individuelle à la formation (AIF)", "France Travail", aif),
        Scheme("region", "Programme régional de formation, aides régionales", "Région", region),
        Scheme("agefiph", "Aides de l'Agefiph", "Agefiph", agefiph),
        Scheme("fiphfp", "Aides du FIPHFP", "FIPHFP", fiphfp),
        Scheme(
            "abondement_employeur",
            "Abondement du CPF par l'employeur",
            "Employeur",
            abondement_employeur,
        ),
    ]
}


def evaluate(code: str, facts: Facts, on: date, params: ParameterSet | None = None) -> Verdict:
    try:
        scheme = SCHEMES[code]
    except KeyError:
        raise KeyError(f"Unknown funding scheme: {code!r}") from None
    return scheme.rule(facts, params if params is not None else ParameterSet.load(on))


def evaluate_all(facts: Facts, on: date) -> dict[str, Verdict]:
    params = ParameterSet.load(on)  # one query for every scheme
    return {code: scheme.rule(facts, params) for code, scheme in SCHEMES.items()}

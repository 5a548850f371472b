"""Funding rules against FUNDING.md: every expected verdict below is written by hand from it."""

from datetime import date
from decimal import Decimal

import pytest

from accompagnement.funding_rules import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    SCHEMES,
    UNKNOWN,
    Facts,
    MissingFundingParameter,
    Verdict,
    evaluate,
    evaluate_all,
    parameter,
)
from accompagnement.models import DeclaredFacts, FundingParameter
from tests.factories import BeneficiaryFactory, ParcoursFactory, UserFactory

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 1)


def cdi(**facts) -> Facts:
    return Facts(employment_status="salarie_cdi", **facts)


def verdict(code: str, facts: Facts, on: date = ON) -> Verdict:
    return evaluate(code, facts, on)


def assert_not_eligible(v: Verdict, *fragments: str):
    assert v.status == NOT_ELIGIBLE, v
    text = " ".join(v.reasons)
    for fragment in fragments:
        assert fragment in text, (fragment, v.reasons)


def assert_unknown(v: Verdict, *missing: str):
    assert v.status == UNKNOWN, v
    for fact in missing:
        assert fact in v.missing, (fact, v.missing)


# --- Parameters -----------------------------------------------------------------------------


def test_default_parameters_come_from_the_data_migration():
    assert parameter("ptp_cdi_months_total", ON) == Decimal("24")
    assert parameter("ptp_cdi_months_company", ON) == Decimal("12")
    assert parameter("ptp_cdd_months_5_years", ON) == Decimal("24")
    assert parameter("ptp_cdd_months_fixed_term_12", ON) == Decimal("4")
    assert parameter("demission_years_continuous", ON) == Decimal("5")
    assert parameter("pro_a_max_diploma_level", ON) == Decimal("5")
    assert parameter("cpf_participation", date(2024, 5, 1)) == Decimal("0")
    assert parameter("cpf_participation", date(2024, 5, 2)) == Decimal("100.00")


def test_a_missing_parameter_is_a_clear_error():
    with pytest.raises(MissingFundingParameter, match=r"ptp_cdi_months_total.*31/12/2018"):
        parameter("ptp_cdi_months_total", date(2018, 12, 31))
    with pytest.raises(MissingFundingParameter, match="ptp_cdi_months_total"):
        verdict("ptp", cdi(months_salaried_total=30, months_current_employer=20), date(2018, 1, 1))


def test_a_later_parameter_applies_only_from_its_valid_from():
    FundingParameter.objects.create(
        code="ptp_cdi_months_company",
        value=Decimal("6"),
        valid_from=date(2030, 1, 1),
        label="PTP, CDI : mois requis dans l'entreprise (fictif)",
    )
    facts = cdi(rqth=False, months_salaried_total=24, months_current_employer=11)

    before = verdict("ptp", facts, date(2029, 12, 31))
    assert_not_eligible(before, "Moins de 12 mois dans l'entreprise actuelle (11 déclarés)")

    after = verdict("ptp", facts, date(2030, 1, 1))
    assert after.status == ELIGIBLE
    assert evaluate_all(facts, date(2030, 1, 1))["ptp"].status == ELIGIBLE


def test_platform_staff_edit_the_parameters_in_the_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/accompagnement/fundingparameter/?code=cpf_participation")
    assert response.status_code == 200
    assert "CPF : participation forfaitaire du titulaire" in response.content.decode()
    assert client.get("/admin/accompagnement/fundingparameter/add/").status_code == 200


def test_evaluate_all_reads_the_parameters_in_one_query(django_assert_num_queries):
    facts = cdi(rqth=False, diploma_level="4", cpf_balance=Decimal("500"))
    with django_assert_num_queries(1):
        verdicts = evaluate_all(facts, ON)
    assert list(verdicts) == [
        "cpf",
        "ptp",
        "demission_reconversion",
        "pro_a",
        "plan_developpement",
        "aif",
        "region",
        "agefiph",
        "fiphfp",
        "abondement_employeur",
    ]
    assert all(isinstance(v, Verdict) for v in verdicts.values())
    assert verdicts["cpf"].status == ELIGIBLE
    assert verdicts["aif"].status == NOT_ELIGIBLE
    assert verdicts["ptp"].status == UNKNOWN


def test_every_scheme_names_its_funder():
    assert SCHEMES["ptp"].funder == "Transitions Pro"
    assert SCHEMES["aif"].funder == "France Travail"
    assert SCHEMES["cpf"].funder == "Caisse des dépôts"
    assert all(s.label and s.funder for s in SCHEMES.values())


def test_unknown_codes_and_values_are_refused():
    with pytest.raises(KeyError):
        verdict("cheque_formation", cdi())
    with pytest.raises(ValueError):
        Facts(employment_status="salarie")
    with pytest.raises(ValueError):
        Verdict("peut-etre")


# --- PTP ------------------------------------------------------------------------------------


def test_ptp_cdi_24_months_of_which_12_in_the_company_is_eligible():
    v = verdict("ptp", cdi(rqth=False, months_salaried_total=24, months_current_employer=12))
    assert v.status == ELIGIBLE
    assert v.missing == ()


def test_ptp_cdi_11_months_in_the_company_is_not_eligible():
    v = verdict("ptp", cdi(rqth=False, months_salaried_total=24, months_current_employer=11))
    assert_not_eligible(
        v,
        "Moins de 12 mois dans l'entreprise actuelle (11 déclarés) : condition du PTP non remplie.",
    )


def test_ptp_cdi_23_months_in_total_is_not_eligible():
    v = verdict("ptp", cdi(rqth=False, months_salaried_total=23, months_current_employer=23))
    assert_not_eligible(v, "Moins de 24 mois de travail salarié au total (23 déclarés)")


def test_ptp_cdi_seniority_unknown_asks_for_it():
    v = verdict("ptp", cdi(rqth=False, months_salaried_total=24))
    assert_unknown(v, "ancienneté dans l'entreprise actuelle")
    assert "durée totale de travail salarié" not in v.missing


def test_ptp_rqth_waives_the_seniority_conditions():
    v = verdict("ptp", cdi(rqth=True, months_salaried_total=3, months_current_employer=1))
    assert v.status == ELIGIBLE
    assert any("RQTH" in r for r in v.reasons)
    # Nothing declared at all: the waiver alone makes it eligible.
    assert verdict("ptp", cdi(rqth=True)).status == ELIGIBLE


def test_ptp_failed_seniority_with_rqth_unknown_asks_for_the_rqth():
    v = verdict("ptp", cdi(rqth=None, months_salaried_total=24, months_current_employer=11))
    assert_unknown(v, "reconnaissance de la qualité de travailleur handicapé (RQTH)")


def test_ptp_cdd_conditions():
    cdd = {"employment_status": "salarie_cdd", "rqth": False}
    ok = verdict("ptp", Facts(**cdd, months_salaried_last_5_years=24, months_fixed_term_last_12=4))
    assert ok.status == ELIGIBLE

    short = verdict(
        "ptp", Facts(**cdd, months_salaried_last_5_years=30, months_fixed_term_last_12=3)
    )
    assert_not_eligible(short, "Moins de 4 mois en CDD sur les 12 derniers mois (3 déclarés)")

    unknown = verdict("ptp", Facts(**cdd, months_fixed_term_last_12=6))
    assert_unknown(unknown, "durée de travail salarié sur les 5 dernières années")


def test_ptp_is_for_private_employees_only():
    v = verdict("ptp", Facts(employment_status="de_a", rqth=True))
    assert_not_eligible(v, "réservé aux salariés du privé")


def test_ptp_temp_worker_asks_for_the_contract_type():
    v = verdict("ptp", Facts(employment_status="salarie_interim", rqth=False))
    assert_unknown(v, "type de contrat (CDI ou CDD)")


# --- Démission-reconversion -----------------------------------------------------------------


def test_demission_five_years_not_yet_resigned_is_eligible():
    v = verdict("demission_reconversion", cdi(years_continuous_salaried=5, resigned=False))
    assert v.status == ELIGIBLE
    assert any("réel et sérieux" in r for r in v.reasons)


def test_demission_four_years_is_not_eligible():
    v = verdict("demission_reconversion", cdi(years_continuous_salaried=4, resigned=False))
    assert_not_eligible(v, "Moins de 5 ans d'activité salariée continue (4 déclarés)")


def test_demission_already_resigned_is_not_eligible():
    v = verdict("demission_reconversion", cdi(years_continuous_salaried=12, resigned=True))
    assert_not_eligible(v, "Démission déjà donnée", "avant de démissionner")


def test_demission_unknown_resignation_asks_for_it():
    v = verdict("demission_reconversion", cdi(years_continuous_salaried=12))
    assert_unknown(v, "démission déjà donnée ou non")


def test_demission_is_for_private_employees():
    v = verdict(
        "demission_reconversion",
        Facts(employment_status="agent_titulaire", years_continuous_salaried=10, resigned=False),
    )
    assert_not_eligible(v, "Agent public titulaire", "réservée aux salariés du privé")


# --- Pro-A ----------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["3", "5"])
def test_pro_a_cdi_below_licence_is_eligible(level):
    assert verdict("pro_a", cdi(diploma_level=level)).status == ELIGIBLE


def test_pro_a_licence_level_is_not_eligible():
    assert_not_eligible(verdict("pro_a", cdi(diploma_level="6")), "niveau 6", "Pro-A")


def test_pro_a_fixed_term_contract_is_not_eligible():
    v = verdict("pro_a", Facts(employment_status="salarie_cdd", diploma_level="3"))
    assert_not_eligible(v, "Salarié en CDD", "réservée aux salariés en CDI")


def test_pro_a_unknown_diploma_asks_for_it():
    assert_unknown(verdict("pro_a", cdi()), "niveau de qualification (diplôme le plus élevé)")


# --- Plan de développement des compétences --------------------------------------------------


def test_plan_employee_is_eligible_at_the_employers_decision():
    v = verdict("plan_developpement", Facts(employment_status="salarie_cdd"))
    assert v.status == ELIGIBLE
    assert any("l'employeur qui décide" in r for r in v.reasons)


def test_plan_self_employed_is_not_eligible():
    v = verdict("plan_developpement", Facts(employment_status="independant"))
    assert_not_eligible(v, "salariés du privé")


def test_plan_employed_student_asks_what_the_job_is():
    v = verdict("plan_developpement", Facts(employment_status="etudiant_en_emploi"))
    assert_unknown(v, "nature de l'emploi (salarié du privé, agent public ou indépendant)")


# --- AIF ------------------------------------------------------------------------------------


def test_aif_registered_job_seeker_is_eligible():
    v = verdict("aif", Facts(employment_status="de_b"))
    assert v.status == ELIGIBLE
    assert any("aucun dispositif collectif" in r for r in v.reasons)


def test_aif_unregistered_job_seeker_is_not_eligible():
    assert_not_eligible(verdict("aif", Facts(employment_status="de_non_inscrit")), "inscrit")


def test_aif_employee_is_not_eligible():
    assert_not_eligible(verdict("aif", cdi()), "demandeurs d'emploi inscrits")


# AIF depends only on the status, which is always known: no status gives "unknown".
AIF_ELIGIBLE = {"de_a", "de_b", "de_c", "de_d", "de_e"}
ALL_STATUSES = [
    "de_a",
    "de_b",
    "de_c",
    "de_d",
    "de_e",
    "de_non_inscrit",
    "salarie_cdi",
    "salarie_cdd",
    "salarie_interim",
    "salarie_alternance",
    "salarie_contrat_aide",
    "agent_titulaire",
    "agent_contractuel",
    "agent_vacataire",
    "independant",
    "artisan",
    "profession_liberale",
    "micro_entrepreneur",
    "etudiant_en_emploi",
    "retraite_en_emploi",
    "eleve",
    "etudiant",
    "retraite",
    "inactif",
]


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_aif_by_status(status):
    expected = ELIGIBLE if status in AIF_ELIGIBLE else NOT_ELIGIBLE
    assert verdict("aif", Facts(employment_status=status)).status == expected


# --- Région ---------------------------------------------------------------------------------


def test_region_job_seeker_is_eligible():
    assert verdict("region", Facts(employment_status="de_a")).status == ELIGIBLE


def test_region_retiree_is_not_eligible():
    v = verdict("region", Facts(employment_status="retraite"))
    assert_not_eligible(v, "demandeurs d'emploi et certains actifs")


def test_region_employee_depends_on_regional_rules():
    v = verdict("region", cdi())
    assert_unknown(v, "conditions du programme régional visé")
    assert any("règles régionales" in r for r in v.reasons)


# --- Agefiph and FIPHFP ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["salarie_cdi", "de_non_inscrit", "micro_entrepreneur"])
def test_agefiph_private_worker_or_job_seeker_with_rqth_is_eligible(status):
    assert verdict("agefiph", Facts(employment_status=status, rqth=True)).status == ELIGIBLE


def test_agefiph_without_rqth_is_not_eligible():
    assert_not_eligible(verdict("agefiph", cdi(rqth=False)), "Pas de RQTH")


def test_agefiph_public_agent_is_not_eligible():
    v = verdict("agefiph", Facts(employment_status="agent_titulaire", rqth=True))
    assert_not_eligible(v, "agents publics", "FIPHFP")


def test_agefiph_unknown_rqth_asks_for_it():
    v = verdict("agefiph", cdi(rqth=None))
    assert_unknown(v, "reconnaissance de la qualité de travailleur handicapé (RQTH)")


def test_fiphfp_public_agent_with_rqth_is_eligible():
    v = verdict("fiphfp", Facts(employment_status="agent_contractuel", rqth=True))
    assert v.status == ELIGIBLE


def test_fiphfp_private_employee_is_not_eligible():
    assert_not_eligible(verdict("fiphfp", cdi(rqth=True)), "réservé aux agents publics")


def test_fiphfp_public_agent_without_rqth_is_not_eligible():
    v = verdict("fiphfp", Facts(employment_status="agent_titulaire", rqth=False))
    assert_not_eligible(v, "Pas de handicap reconnu")


def test_fiphfp_unknowns_ask_for_rqth_or_sector():
    v = verdict("fiphfp", Facts(employment_status="agent_titulaire", rqth=None))
    assert_unknown(v, "reconnaissance de la qualité de travailleur handicapé (RQTH)")
    v = verdict("fiphfp", Facts(employment_status="retraite_en_emploi", rqth=True))
    assert_unknown(v, "secteur de l'emploi (privé ou public)")


# --- Abondement employeur -------------------------------------------------------------------


def test_abondement_employer_agrees_is_eligible():
    assert verdict("abondement_employeur", cdi(employer_tops_up=True)).status == ELIGIBLE


def test_abondement_employer_refuses_is_not_eligible():
    v = verdict("abondement_employeur", cdi(employer_tops_up=False))
    assert_not_eligible(v, "L'employeur n'abonde pas")


def test_abondement_job_seeker_is_not_eligible():
    v = verdict("abondement_employeur", Facts(employment_status="de_a", employer_tops_up=True))
    assert_not_eligible(v, "salariés du privé")


def test_abondement_unknown_agreement_asks_for_it():
    v = verdict("abondement_employeur", cdi())
    assert_unknown(v, "accord de l'employeur pour abonder le CPF")


# --- CPF ------------------------------------------------------------------------------------


def test_cpf_positive_balance_is_eligible_with_the_flat_participation():
    v = verdict("cpf", cdi(cpf_balance=Decimal("500")))
    assert v.status == ELIGIBLE
    text = " ".join(v.reasons)
    assert "500\u00a0€" in text
    assert "Participation forfaitaire du titulaire : 100\u00a0€" in text
    assert "indexé" in text
    assert "demandeurs d'emploi" in text
    assert "employeur ou un autre financeur abonde" in text


def test_cpf_participation_waived_for_job_seekers_and_employer_top_up():
    seeker = verdict("cpf", Facts(employment_status="de_a", cpf_balance=Decimal("500")))
    assert "Demandeur d'emploi inscrit : la participation forfaitaire n'est pas due." in (
        seeker.reasons
    )
    topped = verdict("cpf", cdi(cpf_balance=Decimal("500"), employer_tops_up=True))
    assert "L'employeur abonde : la participation forfaitaire n'est pas due." in topped.reasons


def test_cpf_participation_amount_is_a_dated_parameter():
    before = verdict("cpf", cdi(cpf_balance=Decimal("500")), date(2024, 5, 1))
    assert before.status == ELIGIBLE
    assert "Pas de participation forfaitaire du titulaire à cette date." in before.reasons

    FundingParameter.objects.create(
        code="cpf_participation",
        value=Decimal("102.23"),
        valid_from=date(2025, 1, 1),
        label="CPF : participation forfaitaire indexée",
    )
    indexed = verdict("cpf", cdi(cpf_balance=Decimal("500")), date(2025, 1, 1))
    assert any("102,23\u00a0€" in r for r in indexed.reasons)
    old = verdict("cpf", cdi(cpf_balance=Decimal("500")), date(2024, 12, 31))
    assert any(": 100\u00a0€" in r for r in old.reasons)


def test_cpf_zero_balance_is_not_eligible():
    assert_not_eligible(verdict("cpf", cdi(cpf_balance=Decimal("0"))), "0\u00a0€", "CPF")


def test_cpf_inactive_person_is_not_eligible():
    v = verdict("cpf", Facts(employment_status="inactif", cpf_balance=Decimal("500")))
    assert_not_eligible(v, "actifs")


def test_cpf_unknown_balance_asks_for_it():
    assert_unknown(verdict("cpf", cdi()), "solde du compte CPF")


# --- From the records -----------------------------------------------------------------------


def test_facts_from_records():
    b = BeneficiaryFactory(employment_status="salarie_cdi", rqth=False, diploma_level="4")
    parcours = ParcoursFactory(beneficiary=b)

    assert Facts.from_records(b, None) == Facts(
        employment_status="salarie_cdi", rqth=False, diploma_level="4"
    )
    unknown = evaluate("ptp", Facts.from_records(b, None), ON)
    assert_unknown(
        unknown, "durée totale de travail salarié", "ancienneté dans l'entreprise actuelle"
    )

    declared = DeclaredFacts.objects.create(
        operator=b.operator,
        parcours=parcours,
        months_salaried_total=30,
        months_current_employer=11,
        cpf_balance=Decimal("800.00"),
    )
    facts = Facts.from_records(b, declared)
    assert facts == Facts(
        employment_status="salarie_cdi",
        rqth=False,
        diploma_level="4",
        months_salaried_total=30,
        months_current_employer=11,
        cpf_balance=Decimal("800.00"),
    )
    verdicts = evaluate_all(facts, ON)
    assert_not_eligible(
        verdicts["ptp"], "Moins de 12 mois dans l'entreprise actuelle (11 déclarés)"
    )
    assert verdicts["cpf"].status == ELIGIBLE
    assert verdicts["pro_a"].status == ELIGIBLE
    assert_unknown(verdicts["demission_reconversion"], "démission déjà donnée ou non")


def test_a_resignation_recorded_in_the_declared_facts_reaches_the_rule(login_as):
    """The counsellor records that the person has already resigned (facts form): the
    démission-reconversion is then not available, and the rule says why."""
    from accompagnement import services
    from tests.conseil.factories import Level2ParcoursFactory

    parcours = Level2ParcoursFactory(entry_level=3)
    services.ensure_plan(membership=parcours.referent, parcours=parcours)
    b = parcours.beneficiary
    assert b.employment_status == "salarie_cdi"
    url = f"/accompagnement/parcours/{parcours.pk}/plan/faits/"
    client = login_as(parcours.referent)
    assert "a déjà donné sa démission" in client.get(url).content.decode().lower()
    response = client.post(url, {"years_continuous_salaried": "6", "resigned": "true"})
    assert response.status_code == 302
    declared = DeclaredFacts.objects.get(parcours=parcours)
    assert declared.resigned is True
    verdict_ = evaluate_all(Facts.from_records(b, declared), ON)["demission_reconversion"]
    assert_not_eligible(verdict_, "Démission déjà donnée : le CEP doit être demandé avant")
    client.post(url, {"years_continuous_salaried": "6", "resigned": "false"})
    declared.refresh_from_db()
    assert declared.resigned is False
    verdict_ = evaluate_all(Facts.from_records(b, declared), ON)["demission_reconversion"]
    assert verdict_.status == ELIGIBLE

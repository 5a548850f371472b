"""Every employment status gets the verdict and the reason the CEP's scope gives it.

The expected table is written by hand from the rule (the CEP is for actifs: in work or looking
for work), not read from the code under test.
"""

import pytest

from cep.nomenclatures import EmploymentStatus, check_eligibility

ELIGIBLE = "Personne active : le conseil en évolution professionnelle lui est ouvert."

EXPECTED = {
    "de_a": (True, ELIGIBLE),
    "de_b": (True, ELIGIBLE),
    "de_c": (True, ELIGIBLE),
    "de_d": (True, ELIGIBLE),
    "de_e": (True, ELIGIBLE),
    "de_non_inscrit": (True, ELIGIBLE),
    "salarie_cdi": (True, ELIGIBLE),
    "salarie_cdd": (True, ELIGIBLE),
    "salarie_interim": (True, ELIGIBLE),
    "salarie_alternance": (True, ELIGIBLE),
    "salarie_contrat_aide": (True, ELIGIBLE),
    "agent_titulaire": (True, ELIGIBLE),
    "agent_contractuel": (True, ELIGIBLE),
    "agent_vacataire": (True, ELIGIBLE),
    "independant": (True, ELIGIBLE),
    "artisan": (True, ELIGIBLE),
    "profession_liberale": (True, ELIGIBLE),
    "micro_entrepreneur": (True, ELIGIBLE),
    "etudiant_en_emploi": (True, ELIGIBLE),
    "retraite_en_emploi": (True, ELIGIBLE),
    "eleve": (
        False,
        "Un élève n'est pas encore actif : le CEP ne peut pas l'accompagner. "
        "Orientez-le vers le centre d'information et d'orientation (CIO) de son secteur.",
    ),
    "etudiant": (
        False,
        "Un étudiant sans activité professionnelle n'est pas actif : le CEP ne peut pas "
        "l'accompagner. Orientez-le vers le service d'orientation de son établissement ; "
        "s'il travaille, choisissez « Étudiant exerçant une activité professionnelle ».",
    ),
    "retraite": (
        False,
        "Une personne retraitée sans activité professionnelle n'est plus active : le CEP ne peut "
        "pas l'accompagner. Si elle reprend un emploi, choisissez « Retraité en cumul "
        "emploi-retraite ».",
    ),
    "inactif": (
        False,
        "Une personne sans emploi qui ne recherche pas d'emploi n'est pas active : le CEP ne peut "
        "pas l'accompagner. Si elle recherche un emploi, choisissez « En recherche d'emploi, "
        "non inscrit » ou sa catégorie de demandeur d'emploi.",
    ),
}


def test_the_table_covers_every_status():
    assert set(EXPECTED) == set(EmploymentStatus.values)


@pytest.mark.parametrize(("status", "expected"), EXPECTED.items())
def test_verdict_and_reason(status, expected):
    verdict = check_eligibility(status)
    assert (verdict.eligible, verdict.reason) == expected


def test_unknown_status_is_refused_loudly():
    with pytest.raises(ValueError, match="Unknown employment status"):
        check_eligibility("chomeur")

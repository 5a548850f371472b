"""Gap, ranking and mobility: on the real ROME release, and on a small hand-made referential."""

import pytest

from cep.referentials.models import RomeJob
from conseil import matching
from tests.conseil.factories import RomeJobFactory, RomeJobSkillFactory, RomeSkillFactory

pytestmark = pytest.mark.django_db

# K2111 « Formation professionnelle », from unix_coherence_item_v460 (coeur_metier "Principale").
K2111_CORE = {
    108476,  # Adapter l'apprentissage selon la progression pédagogique...
    124338,  # Réaliser le bilan pédagogique d'une formation
    300017,  # Accompagner une personne dans l'acquisition de connaissances
    300018,  # Evaluer des acquis d'apprentissage, de formation ou d'expérience
    300026,  # Concevoir l'ingénierie de formation et les séquences pédagogiques
    482619,  # Animer des sessions de formation
    484605,  # Evaluer la satisfaction client et ajuster les services
    501970,  # Fournir des retours constructifs
    501973,  # Maintenir l'engagement des participants sur la durée
    501974,  # Promouvoir l'interactivité et la collaboration
    501975,  # Assurer une mise à jour régulière des contenus
}
# From unix_rubrique_mobilite_v460, K2111's targets by numero_ordre.
K2111_MOBILITY = ["K2145", "M1504", "K2101", "K2132", "K2119", "K2148", "K2102", "M1505", "K2142"]


def test_gap_to_a_real_job(rome):
    held = {300017, 482619, 120501}  # two core skills and « Concevoir des modules de formation »
    gap = matching.job_gap(job=RomeJob.objects.get(pk="K2111"), held_skill_ids=held)
    assert {skill.pk for skill in gap.matched} == held
    assert {skill.pk for skill in gap.missing_core} == K2111_CORE - held
    assert all(skill.pk not in K2111_CORE for skill in gap.missing_other)
    assert gap.missing[: len(gap.missing_core)] == gap.missing_core


def test_mobility_suggestions_come_from_the_graph(rome):
    nearby = matching.nearby_jobs(job_codes=["K2111"])
    assert [job.code for job in nearby] == K2111_MOBILITY
    assert [job.code for job in matching.nearby_jobs(job_codes=["K2111"], limit=3)] == [
        "K2145",
        "M1504",
        "K2101",
    ]


def test_ranking_explains_each_score():
    """Job A: 2 core + 2 other skills (weight 6); job B: 1 core + 1 other (weight 3).
    The person holds A's two core skills and B's other skill."""
    a, b = RomeJobFactory(code="Y0001"), RomeJobFactory(code="Y0002")
    a_core = [RomeSkillFactory(label=f"A cœur {i}") for i in range(2)]
    a_other = [RomeSkillFactory(label=f"A autre {i}") for i in range(2)]
    b_core, b_other = RomeSkillFactory(label="B cœur"), RomeSkillFactory(label="B autre")
    for skill in a_core:
        RomeJobSkillFactory(job=a, skill=skill, is_core=True)
    for skill in a_other:
        RomeJobSkillFactory(job=a, skill=skill)
    RomeJobSkillFactory(job=b, skill=b_core, is_core=True)
    RomeJobSkillFactory(job=b, skill=b_other)
    held = {a_core[0].pk, a_core[1].pk, b_other.pk}
    ranking = matching.rank_jobs(held_skill_ids=held)
    # A: (2*2) / (2*2 + 2) = 4/6 = 67 %; B: 1 / (1*2 + 1) = 1/3 = 33 %.
    assert [(s.job.code, s.score) for s in ranking] == [("Y0001", 67), ("Y0002", 33)]
    assert [skill.label for skill in ranking[0].matched] == ["A cœur 0", "A cœur 1"]
    assert ranking[0].missing_core == []
    assert [skill.label for skill in ranking[1].missing_core] == ["B cœur"]
    assert matching.rank_jobs(held_skill_ids=set()) == []


def test_ranking_on_a_real_job(rome):
    """K2111 has 69 coherence_item rows, 11 of them work contexts (not skills): 58 skills, 11 of
    them core. Holding its 11 core skills: (11*2) / (11*2 + 47) = 22/69 = 32 %, and no other job
    shares as much."""
    ranking = matching.rank_jobs(held_skill_ids=K2111_CORE, limit=5)
    assert (ranking[0].job.code, ranking[0].score) == ("K2111", 32)
    assert {skill.pk for skill in ranking[0].matched} == K2111_CORE
    assert ranking[0].missing_core == []
    assert all(other.score < 32 for other in ranking[1:])

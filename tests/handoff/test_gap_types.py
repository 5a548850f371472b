"""Issue 21 §5: the gap separates skills from knowledge and from diplomas (the ROME's own types),
core skills first. On the real ROME release: Comptable (M1203)."""

import pytest
from django.urls import reverse

from cep.referentials.models import CERTIFICATIONS, RomeJob, RomeSkill
from conseil.matching import job_gap
from tests.conseil.factories import (
    Level2ParcoursFactory,
    RomeJobFactory,
    RomeJobSkillFactory,
    RomeSkillFactory,
)

pytestmark = pytest.mark.django_db


def test_the_import_keeps_the_category_of_each_savoir(rome):
    certifications = RomeSkill.objects.filter(knowledge_category=CERTIFICATIONS)
    # 2 931 certifications and 292 habilitations in unix_referentiel_savoir_v460.
    assert certifications.count() == 3223
    assert not certifications.exclude(category=RomeSkill.Category.KNOWLEDGE).exists()
    assert (
        not RomeSkill.objects.exclude(category=RomeSkill.Category.KNOWLEDGE)
        .exclude(knowledge_category="")
        .exists()
    )


def test_the_gap_of_comptable_by_type(rome):
    gap = job_gap(job=RomeJob.objects.get(pk="M1203"), held_skill_ids=set())
    assert gap.missing_skills and gap.missing_knowledge
    assert all(s.category != "savoir" for s in gap.missing_skills)
    assert all(s.category == "savoir" for s in gap.missing_knowledge)
    assert not any(s.is_certification for s in gap.missing_knowledge)
    assert all(s.is_certification for s in gap.missing_certifications)
    groups = gap.missing_skills + gap.missing_knowledge + gap.missing_certifications
    assert sorted(s.pk for s in groups) == sorted(s.pk for s in gap.missing)


def test_each_type_lists_core_skills_first(login_as):
    parcours = Level2ParcoursFactory()
    job = RomeJobFactory(label="Métier du test")
    rows = [
        ("Accueillir un client", "savoir_faire", "", False),
        ("Tenir une comptabilité", "savoir_faire", "", True),
        ("Fiscalité", "savoir", "Domaines d'expertise", False),
        ("Normes comptables", "savoir", "Normes et procédés", True),
        ("Diplôme d'expertise comptable", "savoir", CERTIFICATIONS, False),
    ]
    for label, category, knowledge, core in rows:
        skill = RomeSkillFactory(label=label, category=category, knowledge_category=knowledge)
        RomeJobSkillFactory(job=job, skill=skill, is_core=core)
    page = login_as(parcours.referent).get(
        reverse("conseil:jobs", kwargs={"parcours_pk": parcours.pk}), {"metier": job.code}
    )
    gap = page.context["gap"]
    assert [s.label for s in gap.missing_skills] == [
        "Tenir une comptabilité",
        "Accueillir un client",
    ]
    assert [s.label for s in gap.missing_knowledge] == ["Normes comptables", "Fiscalité"]
    assert [s.label for s in gap.missing_certifications] == ["Diplôme d'expertise comptable"]
    html = page.content.decode()
    order = [
        "Compétences à acquérir, cœur de métier d&#x27;abord (2)",
        "Tenir une comptabilité",
        "Accueillir un client",
        "Connaissances à acquérir (2)",
        "Normes comptables",
        "Fiscalité",
        "Diplômes, certifications et habilitations (1)",
        "Diplôme d&#x27;expertise comptable",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)

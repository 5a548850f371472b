"""Search in the ROME referential: accent- and case-insensitive substrings, prefix matches first.

Expected figures come from grep on the CSV files, e.g. labels containing "lectricien":
grep -ci '^"[0-9]*","[^"]*lectricien' unix_referentiel_appellation_v460_utf8.csv  -> 65
grep -ci '^"[0-9]*","[EÉ]lectricien' unix_referentiel_appellation_v460_utf8.csv    -> 41
"""

import pytest
from django.db import connection, transaction

from cep.referentials.models import RomeSkill
from cep.referentials.rome import (
    job_search_queryset,
    job_skills,
    search_jobs,
    search_skills,
    skill_search_queryset,
)


def normalized(label: str) -> str:
    return label.lower().replace("é", "e").replace("è", "e")


def test_search_jobs_ignores_accents_and_case(rome):
    hits = search_jobs("electricien", limit=100)
    assert len(hits) == 65
    assert all("electricien" in normalized(hit["label"]) for hit in hits)
    # The file spells the leading capital without accent, the inner words with one.
    labels = [hit["label"] for hit in hits]
    assert "Electricien / Electricienne du bâtiment" in labels
    assert "Aide électricien / Aide électricienne de maintenance" in labels
    assert search_jobs("ÉLECTRICIEN", limit=100) == hits
    assert search_jobs("  Électricien ", limit=100) == hits


def test_search_jobs_puts_prefix_matches_first(rome):
    hits = search_jobs("electricien", limit=100)
    starts = [normalized(hit["label"]).startswith("electricien") for hit in hits]
    assert starts == [True] * 41 + [False] * 24


def test_search_jobs_returns_the_fiche_and_is_limited(rome):
    assert len(search_jobs("electricien")) == 20  # default limit
    assert len(search_jobs("electricien", limit=5)) == 5
    (hit,) = search_jobs("aide electricien / aide electricienne de maintenance")
    assert hit == {
        "code_ogr": 10844,
        "label": "Aide électricien / Aide électricienne de maintenance",
        "job_code": "I1309",
        "job_label": "Electricien / Electricienne de maintenance",
    }


def test_search_jobs_words_and_ligatures(rome):
    # Every word must appear, in any order.
    labels = [hit["label"] for hit in search_jobs("batiment electricien", limit=100)]
    assert "Electricien / Electricienne du bâtiment" in labels
    assert "Artisan électricien / Artisane électricienne du bâtiment" in labels
    assert all("bâtiment" in label for label in labels)
    # "manoeuvre" typed with two letters finds "manœuvre".
    labels = [hit["label"] for hit in search_jobs("manoeuvre", limit=100)]
    assert "Agent / Agente de manœuvre du réseau ferré" in labels
    # A phone's curly apostrophe finds the files' straight one.
    curly = search_jobs("electricien d\u2019entretien", limit=100)
    assert curly == search_jobs("electricien d'entretien", limit=100)
    assert "Electricien / Electricienne d'entretien des bâtiments" in [h["label"] for h in curly]


@pytest.mark.parametrize("query", ["", " ", "e", "É", None])
def test_too_short_a_query_finds_nothing(rome, query):
    assert search_jobs(query) == []
    assert search_skills(query) == []


def test_search_skills(rome):
    # 14 competences and 36 savoirs contain "soudage" (grep -ci on the label columns).
    hits = search_skills("soudage", limit=100)
    assert len(hits) == 50
    assert all("soudage" in hit["label"].lower() for hit in hits)
    assert search_skills("SOUDAGE", limit=100) == hits
    categories = [hit["category"] for hit in hits]
    assert categories.count(RomeSkill.Category.KNOW_HOW) == 14
    assert categories.count(RomeSkill.Category.KNOWLEDGE) == 36
    assert len(search_skills("soudage")) == 20
    assert len(search_skills("soudage", category=RomeSkill.Category.KNOWLEDGE, limit=100)) == 36
    # Accents: "Concevoir une application web" by part of its words, capitals and all.
    assert {
        "code_ogr": 109846,
        "label": "Concevoir une application web",
        "category": "savoir_faire",
    } in (search_skills("APPLICATION WEB", limit=100))


def test_job_skills_core_first(rome):
    skills = job_skills("M1805")
    # grep -c '^"M1805"' coherence_item -> 65 rows; 7 of their codes are work contexts (comm
    # with the first column of referentiel_contexte_travail); 11 rows have a coeur_metier value.
    assert len(skills) == 58
    flags = [skill["is_core"] for skill in skills]
    assert flags == [True] * 11 + [False] * 47
    by_code = {skill["code_ogr"]: skill for skill in skills}
    assert by_code[109846]["is_core"] is True  # "Principale"
    assert by_code[102732]["is_core"] is False  # ""
    assert by_code[102732]["label"] == "Langages de programmation informatique"
    assert job_skills("Z9999") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL only")
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: job_search_queryset("electricien"), "cep_romeappellation_search_trgm"),
        (lambda: skill_search_queryset("soudage"), "cep_romeskill_search_trgm"),
    ],
)
def test_search_can_use_the_trigram_index(rome, queryset, index):
    with transaction.atomic(), connection.cursor() as cursor:
        # On tables this small the planner may rightly prefer a sequential scan; forbidding it
        # (for this transaction only) shows whether the index *can* serve the query, which is
        # what matters once tables or concurrency grow.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset().explain()
    assert index in plan, plan

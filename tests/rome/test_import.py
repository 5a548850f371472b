"""import_rome: the shipped release, idempotence, refusal of broken files, atomicity.

Expected values come from the CSV files themselves (grep), not from the importer.
"""

import gzip
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from cep.referentials.models import (
    RomeAppellation,
    RomeDomaine,
    RomeGrandDomaine,
    RomeJob,
    RomeJobSkill,
    RomeMobility,
    RomeRelease,
    RomeSkill,
)
from cep.referentials.rome import DEFAULT_RELEASE_DIR
from tests.rome.conftest import unpack


def import_rome(*args) -> str:
    out = io.StringIO()
    call_command("import_rome", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every referential row (links without their surrogate ids)."""
    return {
        "grands_domaines": set(RomeGrandDomaine.objects.values_list()),
        "domaines": set(RomeDomaine.objects.values_list()),
        "jobs": set(RomeJob.objects.values_list()),
        "appellations": set(RomeAppellation.objects.values_list()),
        "skills": set(RomeSkill.objects.values_list()),
        "job_skills": set(RomeJobSkill.objects.values_list("job", "skill", "is_core")),
        "mobilities": set(RomeMobility.objects.values_list("source", "target", "order")),
    }


def test_shipped_release_counts(rome):
    # wc -l minus the header line of each file.
    assert RomeJob.objects.count() == 1584
    assert RomeAppellation.objects.count() == 13120
    assert RomeGrandDomaine.objects.count() == 14
    assert RomeDomaine.objects.count() == 110
    competences = RomeSkill.objects.exclude(category=RomeSkill.Category.KNOWLEDGE)
    assert competences.count() == 18317
    # grep -c '"Savoir-être professionnel"' in referentiel_competence
    assert competences.filter(category=RomeSkill.Category.SOFT_SKILL).count() == 16
    assert RomeSkill.objects.filter(category=RomeSkill.Category.KNOWLEDGE).count() == 15354
    assert RomeMobility.objects.count() == 14912
    release = RomeRelease.objects.latest()
    assert release.version == "4.60"
    assert release.counts["metiers"] == 1584
    assert release.counts["appellations"] == 13120
    assert release.counts["competences"] == 18317
    # The command prints its counts (thin spaces as thousands separators).
    assert "ROME 4.60 importé" in rome
    assert "métiers (fiches ROME) : 1\u202f584" in rome
    assert "appellations : 13\u202f120" in rome
    assert "compétences (savoir-faire et savoir-être) : 18\u202f317" in rome


def test_shipped_release_spot_checks(rome):
    job = RomeJob.objects.get(code="M1805")
    assert job.label == "Développeur / Développeuse informatique"
    assert job.search_label == "developpeur / developpeuse informatique"
    assert job.domaine_id == "M18"
    assert job.domaine.label == "Systèmes d'information et de télécommunication"
    assert job.domaine.grand_domaine.label == "Support à l'entreprise"
    assert job.is_executive  # emploi_cadre "O"
    assert not job.is_regulated  # emploi_reglemente "N"
    # A1206: emploi_reglemente "O", emploi_cadre "O", code_rome_parent F1101.
    regulated = RomeJob.objects.get(code="A1206")
    assert (regulated.is_regulated, regulated.is_executive, regulated.parent_code) == (
        True,
        True,
        "F1101",
    )

    appellation = RomeAppellation.objects.get(code_ogr=10844)
    assert appellation.label == "Aide électricien / Aide électricienne de maintenance"
    assert appellation.job_id == "I1309"
    assert appellation.search_label == "aide electricien / aide electricienne de maintenance"

    # coherence_item: "M1805","109846","Principale" (Concevoir une application web)
    core = RomeJobSkill.objects.get(job="M1805", skill=109846)
    assert core.is_core
    assert core.skill.label == "Concevoir une application web"
    assert core.skill.category == RomeSkill.Category.KNOW_HOW
    # "M1805","102732","" : a savoir, not core.
    savoir = RomeJobSkill.objects.get(job="M1805", skill=102732)
    assert not savoir.is_core
    assert savoir.skill.category == RomeSkill.Category.KNOWLEDGE
    # "A1101","23376","" is a work context ("Travail les week-ends et jours fériés"): skipped.
    assert not RomeSkill.objects.filter(code_ogr=23376).exists()
    assert not RomeJobSkill.objects.filter(job="A1101", skill=23376).exists()

    # rubrique_mobilite: "M1805","M1802","1" and "M1805","E1206","10"
    assert RomeMobility.objects.get(source="M1805", target="M1802").order == 1
    assert RomeMobility.objects.get(source="M1805", target="E1206").order == 10


def test_running_twice_changes_nothing(rome):
    before = snapshot()
    releases = RomeRelease.objects.count()
    import_rome()
    assert snapshot() == before
    assert RomeAppellation.objects.count() == 13120
    # Each import is logged; the new log says the same.
    assert RomeRelease.objects.count() == releases + 1
    first, second = RomeRelease.objects.order_by("-pk")[:2][::-1]
    assert (second.version, second.counts) == (first.version, first.counts)


def replace_line(path, number: int, transform) -> str:
    """Apply `transform` to line `number` (1-based, header = 1) of a plain CSV; returns the old
    line. These files have no multi-line fields, so lines are records."""
    lines = path.read_text(encoding="utf-8").split("\n")
    old = lines[number - 1]
    lines[number - 1] = transform(old)
    path.write_text("\n".join(lines), encoding="utf-8")
    return old


def assert_refused(folder, pattern: str) -> None:
    """The import fails with `pattern` in its message and the loaded release is untouched."""
    before_jobs = RomeJob.objects.get(code="M1805").label
    releases = RomeRelease.objects.count()
    with pytest.raises(CommandError) as refused:
        import_rome(str(folder))
    assert re.search(pattern, str(refused.value)), str(refused.value)
    assert "base inchangée" in str(refused.value)
    assert RomeJob.objects.get(code="M1805").label == before_jobs
    assert RomeAppellation.objects.count() == 13120
    assert RomeRelease.objects.count() == releases


def rename_m1805(folder):
    """A visible change in an early file, which must not reach the database."""
    path = unpack(folder, "referentiel_code_rome")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Développeuse informatique", "Développeuse CHANGÉ"), "utf-8")


@pytest.mark.parametrize(
    ("name", "line", "transform", "message"),
    [
        # One field dropped from a job.
        (
            "referentiel_code_rome",
            10,
            lambda line: line.rsplit(",", 1)[0],
            r"unix_referentiel_code_rome_v460_utf8\.csv, ligne 10 : 9 champ\(s\) au lieu de 10",
        ),
        # A malformed ROME code in an appellation.
        (
            "referentiel_appellation",
            42,
            lambda line: re.sub(r'"[A-N]\d{4}"', '"X99"', line, count=1),
            r"unix_referentiel_appellation_v460_utf8\.csv, ligne 42 : code ROME « X99 » mal formé",
        ),
        # A well-formed code that is no fiche.
        (
            "referentiel_appellation",
            43,
            lambda line: re.sub(r'"[A-N]\d{4}"', '"N9999"', line, count=1),
            r"unix_referentiel_appellation_v460_utf8\.csv, ligne 43 : code ROME « N9999 » inconnu",
        ),
        # A code_ogr that is not an integer, late in the last big file.
        (
            "coherence_item",
            100000,
            lambda line: re.sub(r',"\d+",', ',"12a",', line, count=1),
            r"unix_coherence_item_v460_utf8\.csv, ligne 100000 : code OGR « 12a » invalide",
        ),
        # An unknown mobility target.
        (
            "rubrique_mobilite",
            7,
            lambda line: re.sub(r',"[A-N]\d{4}",', ',"A0000",', line, count=1),
            r"unix_rubrique_mobilite_v460_utf8\.csv, ligne 7 : code ROME « A0000 » inconnu",
        ),
        # A header without one of the columns read.
        (
            "referentiel_competence",
            1,
            lambda line: line.replace('"cat_comp"', '"categorie"'),
            r"unix_referentiel_competence_v460_utf8\.csv, ligne 1 : colonne\(s\) absente\(s\) "
            r"de l'en-tête : cat_comp",
        ),
    ],
)
def test_malformed_file_is_refused(rome, release_copy, name, line, transform, message):
    rename_m1805(release_copy)
    path = release_copy / f"unix_{name}_v460_utf8.csv"
    if not path.exists():
        path = unpack(release_copy, name)
    replace_line(path, line, transform)
    assert_refused(release_copy, message)


def test_file_cut_inside_a_quoted_field_is_refused(rome, release_copy):
    rename_m1805(release_copy)
    path = unpack(release_copy, "referentiel_appellation")
    lines = path.read_text(encoding="utf-8").split("\n")
    # Line 640 is "10844","Aide électricien / Aide électricienne de maintenance",…
    assert lines[639].startswith('"10844","Aide électricien')
    path.write_text("\n".join(lines[:639]) + '\n"10844","Aide électr', encoding="utf-8")
    assert_refused(
        release_copy,
        r"unix_referentiel_appellation_v460_utf8\.csv, ligne 640 : CSV mal formé, fichier tronqué",
    )


def test_file_cut_mid_line_is_refused(rome, release_copy):
    rename_m1805(release_copy)
    path = unpack(release_copy, "rubrique_mobilite")
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(lines[:500]) + '\n"M1805","M18', encoding="utf-8")
    assert_refused(
        release_copy,
        r"unix_rubrique_mobilite_v460_utf8\.csv, ligne 501 : CSV mal formé, fichier tronqué",
    )
    path.write_text("\n".join(lines[:500]) + '\n"M1805","M1802"', encoding="utf-8")
    assert_refused(
        release_copy,
        r"unix_rubrique_mobilite_v460_utf8\.csv, ligne 501 : 2 champ\(s\) au lieu de 3",
    )


def test_truncated_gzip_is_refused(rome, release_copy):
    rename_m1805(release_copy)
    packed = release_copy / "unix_coherence_item_v460_utf8.csv.gz"
    packed.write_bytes(packed.read_bytes()[:100_000])
    assert_refused(
        release_copy,
        r"unix_coherence_item_v460_utf8\.csv\.gz, ligne \d+ : "
        r"(archive gzip tronquée|CSV mal formé)",
    )


def test_missing_file_and_mixed_versions_are_refused(rome, release_copy):
    (release_copy / "unix_cr_gd_dp_v460_utf8.csv.gz").unlink()
    assert_refused(release_copy, r"manquant.*unix_cr_gd_dp_v460_utf8\.csv")
    gd = release_copy / "unix_grand_domaine_v460_utf8.csv.gz"
    gd.rename(release_copy / "unix_grand_domaine_v461_utf8.csv.gz")
    assert_refused(release_copy, r"Plusieurs versions du ROME mélangées.*v460, v461")


def test_failure_during_the_load_rolls_everything_back(rome, release_copy, monkeypatch):
    """Checks pass, the writes start (M1805 renamed), then the database fails: nothing remains."""
    rename_m1805(release_copy)
    before = snapshot()

    def fail(*args, **kwargs):
        raise DatabaseError("panne simulée")

    # Links are written after the jobs.
    monkeypatch.setattr(RomeJobSkill.objects, "bulk_create", fail)
    with pytest.raises(DatabaseError):
        import_rome(str(release_copy))
    assert RomeJob.objects.get(code="M1805").label == "Développeur / Développeuse informatique"
    assert snapshot() == before


def test_newer_release_folder_with_plain_csv(rome, tmp_path):
    """A v461 folder of plain .csv files: version read from the names, changes applied, rows gone
    from the release deleted."""
    folder = tmp_path / "v461"
    folder.mkdir()
    for packed in DEFAULT_RELEASE_DIR.glob("*.csv.gz"):
        plain = folder / packed.name.replace("_v460_", "_v461_").removesuffix(".gz")
        with gzip.open(packed, "rb") as source:
            plain.write_bytes(source.read())
    jobs = folder / "unix_referentiel_code_rome_v461_utf8.csv"
    jobs.write_text(
        jobs.read_text(encoding="utf-8").replace(
            '"Développeur / Développeuse informatique"', '"Développeur / Développeuse logiciel"'
        ),
        encoding="utf-8",
    )
    appellations = folder / "unix_referentiel_appellation_v461_utf8.csv"
    # Drop appellation 10844 (line 640).
    old = replace_line(appellations, 640, lambda line: "")
    assert old.startswith('"10844",')

    output = import_rome(str(folder))

    assert "ROME 4.61 importé" in output
    assert RomeRelease.objects.latest().version == "4.61"
    job = RomeJob.objects.get(code="M1805")
    assert job.label == "Développeur / Développeuse logiciel"
    assert job.search_label == "developpeur / developpeuse logiciel"
    assert not RomeAppellation.objects.filter(code_ogr=10844).exists()
    assert RomeAppellation.objects.count() == 13119

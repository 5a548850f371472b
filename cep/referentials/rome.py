"""ROME 4.0 referential: loading a France Travail release, and searching it.

A release is a folder of France Travail's "unix" CSV export (`unix_<name>_v<version>_utf8.csv`,
optionally gzip-compressed). Every file is read and checked in full before the database is
touched; the load itself runs in one transaction, so a bad release never replaces a good one.
"""

import csv
import gzip
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import (
    Case,
    IntegerField,
    ProtectedError,
    Q,
    RestrictedError,
    Value,
    When,
)
from django_scopes import scopes_disabled

from cep.models import normalize_for_search
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

DEFAULT_RELEASE_DIR = Path(__file__).resolve().parent / "data" / "rome" / "v460"
FILE_NAME = re.compile(r"^unix_(?P<name>[a-z_]+)_v(?P<version>\d+)_utf8\.csv(?P<gz>\.gz)?$")

# The files a release must hold, and the columns read from each (others are ignored, so a newer
# export that adds columns still loads).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "grand_domaine": ("code_grand_domaine", "libelle_grand_domaine"),
    "domaine_professionnel": ("code_domaine_professionnel", "libelle_domaine_professionnel"),
    "referentiel_code_rome": (
        "code_rome",
        "libelle_rome",
        "emploi_reglemente",
        "emploi_cadre",
        "code_rome_parent",
    ),
    # France Travail's own spelling: "professionel".
    "cr_gd_dp": ("code_rome", "code_grand_domaine", "code_domaine_professionel"),
    "referentiel_appellation": (
        "code_ogr",
        "libelle_appellation_long",
        "libelle_appellation_court",
        "code_rome",
    ),
    "referentiel_competence": ("code_ogr", "libelle_competence", "cat_comp"),
    "referentiel_savoir": ("code_ogr_savoir", "libelle_savoir"),
    "coherence_item": ("code_rome", "code_ogr", "coeur_metier"),
    "rubrique_mobilite": ("code_rome", "code_rome_cible", "numero_ordre"),
}

# Columns read when the file has them (older exports may not), empty otherwise.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {"referentiel_savoir": ("categorie_savoir",)}

GRAND_DOMAINE_CODE = re.compile(r"^[A-N]$")
DOMAINE_CODE = re.compile(r"^[A-N]\d{2}$")
ROME_CODE = re.compile(r"^[A-N]\d{4}$")
OGR_CODE = re.compile(r"^\d{1,10}$")
MAX_OGR = 2**31 - 1  # PositiveIntegerField is a 32-bit integer on every backend
MAX_ORDER = 32767  # PositiveSmallIntegerField
FLAGS = {"O": True, "N": False, "": False}
SKILL_CATEGORIES = {
    "Savoir-faire": RomeSkill.Category.KNOW_HOW,
    "Savoir-être professionnel": RomeSkill.Category.SOFT_SKILL,
}
# coherence_item.coeur_metier: empty for a peripheral item; "Principale" and "Émergente" both
# mark the fiche's "compétences cœur de métier" (the emerging ones are core too, just newer).
CORE_VALUES = {"": False, "Principale": True, "Émergente": True}
BATCH_SIZE = 5000

# Searches ignore accents and case (normalize_for_search), and also ligatures and typographic
# apostrophes (U+2019, U+02BC): "manoeuvre" must find "Manœuvre", a phone's curly apostrophe the
# straight one of the files.
FOLDINGS = str.maketrans({"œ": "oe", "æ": "ae", "\u2019": "'", "\u02bc": "'"})
MIN_QUERY_LENGTH = 2
MAX_LIMIT = 100


class RomeImportError(Exception):
    """A release refused; the message (in French) names the file and line."""


def search_key(text: str) -> str:
    """The form labels are stored in (`search_label`) and queries are compared in."""
    return " ".join(normalize_for_search(text).translate(FOLDINGS).split())


# --- Reading a release -------------------------------------------------------------------------


def find_release_files(folder: Path) -> tuple[str, dict[str, Path]]:
    """The version of the release in `folder` and the path of each required file."""
    if not folder.is_dir():
        raise RomeImportError(f"Dossier introuvable : {folder}")
    found: dict[str, list[Path]] = {}
    versions: set[str] = set()
    for path in sorted(folder.iterdir()):
        match = FILE_NAME.match(path.name)
        if match and match["name"] in REQUIRED_COLUMNS:
            found.setdefault(match["name"], []).append(path)
            versions.add(match["version"])
    if not versions:
        raise RomeImportError(f"Aucun fichier du ROME (unix_…_vXXX_utf8.csv) dans {folder}")
    if len(versions) > 1:
        listed = ", ".join(f"v{v}" for v in sorted(versions))
        raise RomeImportError(f"Plusieurs versions du ROME mélangées dans {folder} : {listed}")
    (version,) = versions
    missing = [f"unix_{name}_v{version}_utf8.csv" for name in REQUIRED_COLUMNS if name not in found]
    if missing:
        raise RomeImportError(f"Fichier(s) manquant(s) dans {folder} : {', '.join(missing)}")
    doubled = [paths for paths in found.values() if len(paths) > 1]
    if doubled:
        names = " et ".join(p.name for p in doubled[0])
        raise RomeImportError(f"Fichier en double dans {folder} : {names}")
    return version, {name: paths[0] for name, paths in found.items()}


def display_version(version: str) -> str:
    """France Travail's "v460" is release 4.60."""
    return f"{version[0]}.{version[1:]}" if len(version) > 1 else version


class CsvFile:
    """Rows of one export file with their line numbers, checked for shape as they are read."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.path = path
        self.filename = path.name

    def error(self, line: int, message: str) -> RomeImportError:
        return RomeImportError(f"{self.filename}, ligne {line} : {message}")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, values of the required columns), line being where the record starts."""
        required = REQUIRED_COLUMNS[self.name]
        opener = gzip.open if self.path.suffix == ".gz" else open
        line = 1
        try:
            # utf-8-sig: a BOM some tools add is not part of the first column's name.
            with opener(self.path, "rt", encoding="utf-8-sig", newline="") as handle:
                # strict: a quoted field cut by the end of the file is an error, not a value.
                reader = csv.reader(handle, strict=True)
                header = next(reader, None)
                if header is None:
                    raise self.error(1, "fichier vide (pas de ligne d'en-tête)")
                missing = [column for column in required if column not in header]
                if missing:
                    raise self.error(
                        1, f"colonne(s) absente(s) de l'en-tête : {', '.join(missing)}"
                    )
                width = len(header)
                optional = OPTIONAL_COLUMNS.get(self.name, ())
                indexes = [header.index(column) for column in required]
                indexes += [header.index(c) if c in header else -1 for c in optional]
                while True:
                    line = reader.line_num + 1
                    row = next(reader, None)
                    if row is None:
                        return
                    if not row:  # a blank line carries nothing
                        continue
                    if len(row) != width:
                        raise self.error(line, f"{len(row)} champ(s) au lieu de {width}")
                    yield line, [row[i] if i >= 0 else "" for i in indexes]
        except csv.Error as error:
            raise self.error(line, f"CSV mal formé, fichier tronqué ? ({error})") from error
        except UnicodeDecodeError as error:
            raise self.error(line, "texte illisible, le fichier doit être en UTF-8") from error
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise self.error(line, f"archive gzip tronquée ou illisible ({error})") from error


@dataclass
class ParsedRelease:
    version: str
    grands_domaines: dict[str, RomeGrandDomaine] = field(default_factory=dict)
    domaines: dict[str, RomeDomaine] = field(default_factory=dict)
    jobs: dict[str, RomeJob] = field(default_factory=dict)
    appellations: dict[int, RomeAppellation] = field(default_factory=dict)
    skills: dict[int, RomeSkill] = field(default_factory=dict)
    job_skills: list[RomeJobSkill] = field(default_factory=list)
    mobilities: list[RomeMobility] = field(default_factory=list)
    ignored_items: int = 0  # coherence_item rows that are neither skill nor savoir

    def counts(self) -> dict[str, int]:
        categories = [skill.category for skill in self.skills.values()]
        savoirs = categories.count(RomeSkill.Category.KNOWLEDGE)
        return {
            "grands_domaines": len(self.grands_domaines),
            "domaines": len(self.domaines),
            "metiers": len(self.jobs),
            "appellations": len(self.appellations),
            "competences": len(categories) - savoirs,
            "savoirs": savoirs,
            "liens_metier_competence": len(self.job_skills),
            "liens_ignores": self.ignored_items,
            "mobilites": len(self.mobilities),
        }


def _label(
    file: CsvFile, line: int, value: str, model, field_name: str = "label", required: bool = True
) -> str:
    value = value.strip()
    if required and not value:
        raise file.error(line, "libellé vide")
    limit = model._meta.get_field(field_name).max_length
    if len(value) > limit:
        raise file.error(line, f"libellé trop long ({len(value)} caractères, {limit} au plus)")
    return value


def _code(file: CsvFile, line: int, value: str, pattern: re.Pattern, what: str) -> str:
    if not pattern.match(value):
        raise file.error(line, f"{what} « {value} » mal formé")
    return value


def _ogr(file: CsvFile, line: int, value: str) -> int:
    if not OGR_CODE.match(value) or int(value) > MAX_OGR:
        raise file.error(line, f"code OGR « {value} » invalide (nombre entier attendu)")
    return int(value)


def _rome(file: CsvFile, line: int, value: str, jobs: dict) -> str:
    """A reference to a fiche métier: well-formed, and known from referentiel_code_rome."""
    _code(file, line, value, ROME_CODE, "code ROME")
    if value not in jobs:
        raise file.error(line, f"code ROME « {value} » inconnu")
    return value


def _flag(file: CsvFile, line: int, value: str, column: str) -> bool:
    if value not in FLAGS:
        raise file.error(line, f"{column} « {value} » inattendu (O, N ou vide)")
    return FLAGS[value]


def parse_release(folder: Path) -> ParsedRelease:
    """Read and check every file of the release; nothing is written."""
    version, paths = find_release_files(folder)
    files = {name: CsvFile(name, path) for name, path in paths.items()}
    release = ParsedRelease(version=display_version(version))

    file = files["grand_domaine"]
    for line, (code, label) in file.rows():
        _code(file, line, code, GRAND_DOMAINE_CODE, "code de grand domaine")
        if code in release.grands_domaines:
            raise file.error(line, f"grand domaine « {code} » en double")
        label = _label(file, line, label, RomeGrandDomaine)
        release.grands_domaines[code] = RomeGrandDomaine(code=code, label=label)

    file = files["domaine_professionnel"]
    for line, (code, label) in file.rows():
        _code(file, line, code, DOMAINE_CODE, "code de domaine professionnel")
        if code in release.domaines:
            raise file.error(line, f"domaine professionnel « {code} » en double")
        if code[0] not in release.grands_domaines:
            raise file.error(line, f"grand domaine « {code[0]} » inconnu")
        label = _label(file, line, label, RomeDomaine)
        release.domaines[code] = RomeDomaine(code=code, label=label, grand_domaine_id=code[0])

    file = files["referentiel_code_rome"]
    parents: list[tuple[int, str]] = []
    for line, (code, label, regulated, executive, parent) in file.rows():
        _code(file, line, code, ROME_CODE, "code ROME")
        if code in release.jobs:
            raise file.error(line, f"code ROME « {code} » en double")
        label = _label(file, line, label, RomeJob)
        if parent:
            _code(file, line, parent, ROME_CODE, "code ROME parent")
            parents.append((line, parent))
        release.jobs[code] = RomeJob(
            code=code,
            label=label,
            search_label=search_key(label),
            parent_code=parent,
            is_executive=_flag(file, line, executive, "emploi_cadre"),
            is_regulated=_flag(file, line, regulated, "emploi_reglemente"),
        )
    for line, parent in parents:  # parents may come later in the file
        if parent not in release.jobs:
            raise file.error(line, f"code ROME parent « {parent} » inconnu")

    file = files["cr_gd_dp"]
    placed: set[str] = set()
    for line, (code, grand_domaine, domaine) in file.rows():
        _rome(file, line, code, release.jobs)
        if code in placed:
            raise file.error(line, f"code ROME « {code} » en double")
        placed.add(code)
        if domaine not in release.domaines:
            raise file.error(line, f"domaine professionnel « {domaine} » inconnu")
        if release.domaines[domaine].grand_domaine_id != grand_domaine:
            raise file.error(
                line,
                f"le domaine « {domaine} » n'appartient pas au grand domaine « {grand_domaine} »",
            )
        release.jobs[code].domaine_id = domaine

    file = files["referentiel_appellation"]
    for line, (code, label, short_label, job) in file.rows():
        code_ogr = _ogr(file, line, code)
        if code_ogr in release.appellations:
            raise file.error(line, f"code OGR « {code} » en double")
        label = _label(file, line, label, RomeAppellation)
        release.appellations[code_ogr] = RomeAppellation(
            code_ogr=code_ogr,
            label=label,
            short_label=_label(
                file, line, short_label, RomeAppellation, "short_label", required=False
            ),
            search_label=search_key(label),
            job_id=_rome(file, line, job, release.jobs),
        )

    file = files["referentiel_competence"]
    for line, (code, label, category) in file.rows():
        code_ogr = _ogr(file, line, code)
        if code_ogr in release.skills:
            raise file.error(line, f"code OGR « {code} » en double")
        if category not in SKILL_CATEGORIES:
            raise file.error(line, f"catégorie de compétence « {category} » inconnue")
        label = _label(file, line, label, RomeSkill)
        release.skills[code_ogr] = RomeSkill(
            code_ogr=code_ogr,
            label=label,
            search_label=search_key(label),
            category=SKILL_CATEGORIES[category],
        )

    file = files["referentiel_savoir"]
    for line, (code, label, knowledge_category) in file.rows():
        code_ogr = _ogr(file, line, code)
        if code_ogr in release.skills:
            raise file.error(line, f"code OGR « {code} » en double (déjà une compétence)")
        label = _label(file, line, label, RomeSkill)
        release.skills[code_ogr] = RomeSkill(
            code_ogr=code_ogr,
            label=label,
            search_label=search_key(label),
            category=RomeSkill.Category.KNOWLEDGE,
            knowledge_category=knowledge_category.strip()[:100],
        )

    file = files["coherence_item"]
    linked: set[tuple[str, int]] = set()
    for line, (job, code, core) in file.rows():
        _rome(file, line, job, release.jobs)
        code_ogr = _ogr(file, line, code)
        if core not in CORE_VALUES:
            raise file.error(line, f"coeur_metier « {core} » inattendu")
        # The file also links work contexts (and could link other item kinds): only the items of
        # the competence and savoir referentials are skills.
        if code_ogr not in release.skills:
            release.ignored_items += 1
            continue
        if (job, code_ogr) in linked:
            raise file.error(line, f"lien « {job} » / « {code} » en double")
        linked.add((job, code_ogr))
        release.job_skills.append(
            RomeJobSkill(job_id=job, skill_id=code_ogr, is_core=CORE_VALUES[core])
        )

    file = files["rubrique_mobilite"]
    edges: set[tuple[str, str]] = set()
    for line, (source, target, order) in file.rows():
        _rome(file, line, source, release.jobs)
        _rome(file, line, target, release.jobs)
        if not order.isdigit() or int(order) > MAX_ORDER:
            raise file.error(line, f"numero_ordre « {order} » invalide")
        if (source, target) in edges:
            raise file.error(line, f"mobilité « {source} » → « {target} » en double")
        edges.add((source, target))
        release.mobilities.append(
            RomeMobility(source_id=source, target_id=target, order=int(order))
        )

    return release


# --- Loading -----------------------------------------------------------------------------------
# The database is synchronised with the release rather than emptied and refilled: only rows that
# differ are written, so a re-import writes nothing, and primary keys stay stable for any row that
# may one day point at a job or a skill.

CHUNK = 900  # ids per DELETE: SQLite caps a query's parameters


def _upsert_changed(model, objects: dict, fields: list[str]) -> tuple[int, list]:
    """Insert new rows and update changed ones; returns (rows written, pks of rows the release
    no longer has, deleted later: children must let go of them first)."""
    attnames = [model._meta.get_field(name).attname for name in fields]
    existing = {row[0]: row[1:] for row in model.objects.values_list("pk", *attnames)}
    changed = [
        obj
        for pk, obj in objects.items()
        if existing.get(pk) != tuple(getattr(obj, attname) for attname in attnames)
    ]
    model.objects.bulk_create(
        changed,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=[model._meta.pk.name],
        update_fields=fields,
    )
    return len(changed), sorted(set(existing) - set(objects))


def _sync_links(model, objects: list, key: tuple[str, str], value: str) -> int:
    """Make the link rows, identified by `key` (two foreign keys) and carrying `value`, those of
    the release; returns the number of rows deleted or inserted."""
    wanted = {(getattr(obj, key[0]), getattr(obj, key[1])): obj for obj in objects}
    doomed, kept = [], set()
    for pk, *pair, current in model.objects.values_list("pk", *key, value):
        obj = wanted.get(tuple(pair))
        if obj is not None and getattr(obj, value) == current:
            kept.add(tuple(pair))
        else:  # gone, or changed: a changed link is rare, deleted and inserted again
            doomed.append(pk)
    _delete_ids(model, doomed)
    added = [obj for pair, obj in wanted.items() if pair not in kept]
    model.objects.bulk_create(added, batch_size=BATCH_SIZE)
    return len(doomed) + len(added)


def _delete_ids(model, ids: list) -> None:
    for start in range(0, len(ids), CHUNK):
        try:
            model.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
        except (ProtectedError, RestrictedError) as error:
            raise RomeImportError(
                f"{model._meta.verbose_name} « {ids[start]} » absent de la nouvelle version mais "
                "encore utilisé : import annulé"
            ) from error


@dataclass
class ImportResult:
    release: RomeRelease
    counts: dict[str, int]
    written: int  # rows inserted, updated or deleted
    seconds: float


def import_release(folder: Path | str = DEFAULT_RELEASE_DIR) -> ImportResult:
    """Check then load a release, replacing the one in the database in a single transaction."""
    started = time.perf_counter()
    parsed = parse_release(Path(folder))
    with transaction.atomic():
        written, stale = 0, {}
        # Parents before children for inserts and updates...
        for model, objects, fields in [
            (RomeGrandDomaine, parsed.grands_domaines, ["label"]),
            (RomeDomaine, parsed.domaines, ["label", "grand_domaine"]),
            (
                RomeJob,
                parsed.jobs,
                ["label", "search_label", "domaine", "parent_code", "is_executive", "is_regulated"],
            ),
            (RomeAppellation, parsed.appellations, ["label", "short_label", "search_label", "job"]),
            (
                RomeSkill,
                parsed.skills,
                ["label", "search_label", "category", "knowledge_category"],
            ),
        ]:
            count, stale[model] = _upsert_changed(model, objects, fields)
            written += count
        written += _sync_links(RomeJobSkill, parsed.job_skills, ("job_id", "skill_id"), "is_core")
        written += _sync_links(RomeMobility, parsed.mobilities, ("source_id", "target_id"), "order")
        # ...children before parents for deletions (a job must leave a domaine before it goes).
        # Tenant rows may point at ROME rows (PROTECT): the deletion collector must see them all.
        with scopes_disabled():
            for model in reversed(stale):
                _delete_ids(model, stale[model])
                written += len(stale[model])
        counts = parsed.counts()
        release = RomeRelease.objects.create(version=parsed.version, counts=counts)
    if written and connection.vendor == "postgresql":
        # Planner statistics for the new rows now, not whenever autovacuum gets to it.
        models = [*stale, RomeJobSkill, RomeMobility]
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    return ImportResult(
        release=release, counts=counts, written=written, seconds=time.perf_counter() - started
    )


# --- Searching ---------------------------------------------------------------------------------


def _matching(queryset, query: str):
    """Rows whose search_label contains every word of the query, prefix matches first."""
    key = search_key(query or "")
    if len(key) < MIN_QUERY_LENGTH:
        return queryset.none()
    for word in key.split():
        queryset = queryset.filter(search_label__contains=word)
    rank = Case(
        When(search_label__startswith=key, then=Value(0)),
        When(search_label__contains=f" {key}", then=Value(1)),  # a later word starts with it
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(rank=rank).order_by("rank", "search_label", "pk")


def _clamp(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def job_search_queryset(query: str):
    return _matching(RomeAppellation.objects.all(), query)


def skill_search_queryset(query: str, category: str | None = None):
    queryset = RomeSkill.objects.all()
    if category:
        queryset = queryset.filter(category=category)
    return _matching(queryset, query)


def search_jobs(query: str, limit: int = 20) -> list[dict]:
    """Job titles (appellations) matching the query, each with its fiche métier."""
    rows = job_search_queryset(query).values_list("code_ogr", "label", "job_id", "job__label")
    return [
        {"code_ogr": code_ogr, "label": label, "job_code": job_code, "job_label": job_label}
        for code_ogr, label, job_code, job_label in rows[: _clamp(limit)]
    ]


def search_skills(query: str, limit: int = 20, category: str | None = None) -> list[dict]:
    """Skills and savoirs matching the query (optionally of one category)."""
    rows = skill_search_queryset(query, category).values_list("code_ogr", "label", "category")
    return [
        {"code_ogr": code_ogr, "label": label, "category": category}
        for code_ogr, label, category in rows[: _clamp(limit)]
    ]


# Within core and non-core skills: know-how, then soft skills, then knowledge.
CATEGORY_RANK = Case(
    When(skill__category=RomeSkill.Category.KNOW_HOW, then=Value(0)),
    When(skill__category=RomeSkill.Category.SOFT_SKILL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def job_skills(job_code: str) -> list[dict]:
    """The skills of a fiche métier, core skills first; empty for an unknown code."""
    rows = (
        RomeJobSkill.objects.filter(job_id=job_code)
        .annotate(category_rank=CATEGORY_RANK)
        .order_by("-is_core", "category_rank", "skill__search_label", "skill_id")
        .values_list("skill_id", "skill__label", "skill__category", "is_core")
    )
    return [
        {"code_ogr": code_ogr, "label": label, "category": category, "is_core": is_core}
        for code_ogr, label, category, is_core in rows
    ]


def current_release() -> RomeRelease | None:
    return RomeRelease.objects.order_by("-imported_at", "-pk").first()


CODE_IN_TEXT = re.compile(r"\(([A-Za-z]\d{4})\)\s*$")
CODE_SHAPE = re.compile(r"^[A-Z]\d{4}$")  # looked up as a code (unknown ones find nothing)
MAX_CHOICES = 10


@dataclass
class JobLookup:
    """A job typed by its name or its code: the job if the text names one, else the fiches it
    may mean (empty when nothing matches)."""

    job: RomeJob | None = None
    choices: list[RomeJob] = field(default_factory=list)


def find_job(text: str) -> JobLookup:
    """The fiche métier a person means by a title ("comptable"), a fiche's label, a code
    ("M1203") or a picked option ("Comptabilité (M1203)"); a few queries whatever the text."""
    text = (text or "").strip()[:300]
    picked = CODE_IN_TEXT.search(text)
    code = picked.group(1).upper() if picked else text.upper()
    if CODE_SHAPE.fullmatch(code):
        return JobLookup(job=RomeJob.objects.filter(pk=code).first())
    key = search_key(text)
    if len(key) < MIN_QUERY_LENGTH:
        return JobLookup()
    # A title or a fiche named exactly: the fiche it belongs to.
    # ("Boulanger / Boulangère": either form named alone is exact too).
    named = Q(search_label=key) | Q(search_label__startswith=f"{key} /")
    named |= Q(search_label__endswith=f"/ {key}")
    rows = list(RomeAppellation.objects.filter(named).values_list("job_id", "search_label"))
    rows += list(RomeJob.objects.filter(named).values_list("code", "search_label"))
    exact = {
        job_code for job_code, label in rows if key in (part.strip() for part in label.split("/"))
    }
    if len(exact) == 1:
        return JobLookup(job=RomeJob.objects.get(pk=exact.pop()))
    codes = list(exact)
    for job_code in job_search_queryset(text).values_list("job_id", flat=True)[:MAX_LIMIT]:
        if job_code not in codes:
            codes.append(job_code)
    for job_code in _matching(RomeJob.objects.all(), text).values_list("code", flat=True)[:20]:
        if job_code not in codes:
            codes.append(job_code)
    codes = codes[:MAX_CHOICES]
    jobs = RomeJob.objects.in_bulk(codes)
    if len(codes) == 1:
        return JobLookup(job=jobs[codes[0]])
    return JobLookup(choices=[jobs[code] for code in codes])

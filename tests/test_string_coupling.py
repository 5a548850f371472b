"""No app reaches another app by a string the import linter cannot see: ``apps.get_model()`` with
another app's label, or another app's table name in a string (raw SQL). Such a dependency would
slip past the layering contract (pyproject.toml); an app names its own tables from its models'
``_meta.db_table``, and another app's only by importing that model."""

import ast
import re
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
PRODUCT_DIRS = {"cep", "accueil", "conseil", "accompagnement", "synthese", "indicateurs"}
SKIPPED_PARTS = {"migrations", "tests", ".venv", "__pycache__"}
# Django's own models every app may name.
SHARED_LABELS = {"auth", "contenttypes"}


def product_files() -> list[Path]:
    dirs = PRODUCT_DIRS | {path.parent.name for path in ROOT.glob("*/apps.py")}
    return sorted(
        path
        for name in dirs
        for path in (ROOT / name).rglob("*.py")
        if not SKIPPED_PARTS & set(path.relative_to(ROOT).parts)
    )


def owner_label(path: Path) -> str | None:
    """The label of the app holding the file: the one whose directory is the longest prefix of
    its path (an app inside cep/ has its own label)."""
    owners = [
        config
        for config in apps.get_app_configs()
        if path.resolve().is_relative_to(Path(config.path).resolve())
    ]
    if not owners:
        return None
    return max(owners, key=lambda config: len(Path(config.path).parts)).label


@cache
def foreign_tables(label: str | None) -> re.Pattern:
    """The tables of every other app (but Django's shared ones), as whole SQL words."""
    tables = sorted(
        table
        for table, app_label in table_apps().items()
        if app_label != label and app_label not in SHARED_LABELS
    )
    return re.compile(r"\b(" + "|".join(map(re.escape, tables)) + r")\b")


@cache
def table_apps() -> dict[str, str]:
    return {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
    }


def named_label(call: ast.Call) -> str | None:
    """The app label given to get_model(), as ``("label", "Model")`` or ``("label.Model")``."""
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    if name != "get_model":
        return None
    argument = next(
        (k.value for k in call.keywords if k.arg == "app_label"),
        call.args[0] if call.args else None,
    )
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value.split(".")[0]
    return None


def coupling_problems(source: str, path: Path) -> list[str]:
    label = owner_label(path)
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    tables = foreign_tables(label)
    problems = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Call):
            named = named_label(node)
            if named and named != label and named not in SHARED_LABELS:
                problems.append(f"{where}:{node.lineno}: get_model() of the app {named!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for table in sorted(set(tables.findall(node.value))):
                problems.append(
                    f"{where}:{node.lineno}: the table {table} of the app {table_apps()[table]!r}"
                )
    return list(dict.fromkeys(problems))  # the pieces of one f-string share its line


def test_no_app_names_another_apps_models_or_tables_by_string():
    files = product_files()
    assert len(files) > 50, "the walk found almost no file: the discovery itself is broken"
    problems = [
        problem
        for path in files
        for problem in coupling_problems(path.read_text(encoding="utf-8"), path)
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_reports_a_foreign_label_and_a_foreign_table():
    in_accueil = coupling_problems(
        'from django.apps import apps\nX = apps.get_model("conseil", "X")\n',
        ROOT / "accueil" / "synthetic.py",
    )
    assert in_accueil == ["accueil/synthetic.py:2: get_model() of the app 'conseil'"]
    assert coupling_problems('Y = get_model("conseil.X")\n', ROOT / "accueil" / "synthetic.py")
    in_cep = coupling_problems(
        'SQL = "SELECT * FROM conseil_projectversion"\n', ROOT / "cep" / "synthetic.py"
    )
    assert in_cep == ["cep/synthetic.py:1: the table conseil_projectversion of the app 'conseil'"]


def test_the_checker_lets_an_app_name_its_own_and_djangos():
    assert not coupling_problems(
        'A = apps.get_model("accueil", "Routing")\nB = apps.get_model("auth", "User")\n'
        'SQL = "SELECT * FROM accueil_routing JOIN auth_user ON true"\n'
        'NOT_A_TABLE = "conseil_projectversion_idx"\n',
        ROOT / "accueil" / "synthetic.py",
    )

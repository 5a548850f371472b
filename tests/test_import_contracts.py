"""The import contracts of pyproject.toml name every module they are about."""

import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TOPIC_APPS = {
    "closure",
    "continuity",
    "duplicates",
    "managers",
    "referentials",
    "search",
    "security",
    "space",
}


def contract(name: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (found,) = [c for c in config["contracts"] if c["name"] == name]
    return found


def test_the_kernel_contract_lists_every_kernel_module():
    kernel = contract("The kernel imports no other app")
    on_disk = (
        {
            f"cep.{child.stem if child.is_file() else child.name}"
            for child in (ROOT / "cep").iterdir()
            if (child.suffix == ".py" and child.stem != "__init__")
            or (child.is_dir() and (child / "__init__.py").exists())
        }
        - {f"cep.{app}" for app in TOPIC_APPS}
        - {"cep.migrations"}
    )
    # Written out, so that a broken discovery cannot pass with an empty set.
    assert {"cep.models", "cep.services", "cep.selectors", "cep.middleware"} <= on_disk
    assert set(kernel["source_modules"]) == on_disk
    assert {f"cep.{app}" for app in TOPIC_APPS} <= set(kernel["forbidden_modules"])


def test_every_topic_app_of_the_kernel_is_layered():
    layers = contract("The topic apps of cep/ depend in one direction")["layers"]
    on_disk = {child.name for child in (ROOT / "cep").iterdir() if (child / "apps.py").exists()}
    assert set(layers) == on_disk == TOPIC_APPS


def test_the_dev_data_package_is_imported_by_no_product_app():
    devdata = contract("Nothing in the product imports the dev-data package")
    assert devdata["forbidden_modules"] == ["devdata"]
    assert set(devdata["source_modules"]) == {
        "cep",
        "accueil",
        "conseil",
        "accompagnement",
        "synthese",
        "indicateurs",
    }

"""docker-compose.yml checked against the Compose JSON Schema: no Docker engine runs here."""

import copy
import json
from pathlib import Path

import pytest
import yaml
from django.urls import resolve
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
# The repo's own copy (see deploy/README.md): tests never read outside the repository.
SCHEMA_FILE = ROOT / "deploy" / "compose-spec.json"

SERVICES = {"postgres", "redis", "web", "worker", "beat"}
HEALTHCHECKED = ["postgres", "redis", "web", "worker"]
DOCUMENTS_MOUNT = "/srv/media"


@pytest.fixture(scope="module")
def schema():
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema):
    # The schema says "https://json-schema.org/draft-07/schema", which jsonschema's
    # validator_for() does not recognise (it would fall back to the latest draft with a
    # warning), so the draft is chosen here and checked against the declaration.
    assert "draft-07" in schema["$schema"]
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


@pytest.fixture
def compose():
    # safe_load resolves the `<<: *app` merge keys, as Compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def schema_errors(validator, document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_compose_file_follows_the_compose_specification(validator, compose):
    assert schema_errors(validator, compose) == []


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda d: d["services"]["web"].update(restart=42), id="restart-not-a-string"),
        pytest.param(lambda d: d.update(servces={}), id="unknown-top-level-key"),
        pytest.param(
            lambda d: d["services"]["web"]["depends_on"]["postgres"].update(condition="healthy"),
            id="unknown-depends-on-condition",
        ),
    ],
)
def test_validation_rejects_an_invalid_file(validator, compose, break_it):
    # Proves the validation above can fail: the same document, broken in one place.
    broken = copy.deepcopy(compose)
    break_it(broken)
    assert schema_errors(validator, broken) != []


def test_stack_has_exactly_the_five_services(compose):
    assert set(compose["services"]) == SERVICES


@pytest.mark.parametrize("service", HEALTHCHECKED)
def test_service_has_a_healthcheck(compose, service):
    healthcheck = compose["services"][service].get("healthcheck")
    assert healthcheck, f"{service} has no healthcheck"
    assert healthcheck.get("test")
    assert not healthcheck.get("disable", False)


@pytest.mark.parametrize("service", ["web", "worker"])
def test_web_and_worker_share_the_documents_volume(compose, service):
    # The worker writes the generated PDFs that web serves: both need the same volume.
    mounts = set()
    for volume in compose["services"][service].get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source"), volume.get("target")
        mounts.add((source, target))
    assert ("documents", DOCUMENTS_MOUNT) in mounts
    assert "documents" in compose["volumes"]
    assert compose["services"][service]["environment"]["MEDIA_ROOT"] == DOCUMENTS_MOUNT


def test_web_waits_for_a_healthy_database_and_redis(compose):
    depends_on = compose["services"]["web"]["depends_on"]
    for dependency in ("postgres", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy"


def test_web_healthcheck_probes_the_real_health_url(compose):
    # If /sante/ moved, every deployment would turn unhealthy: keep the two in step.
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/sante/" in probe
    assert resolve("/sante/").url_name == "healthcheck"
    assert "127.0.0.1" in compose["services"]["web"]["environment"]["ALLOWED_HOSTS"]

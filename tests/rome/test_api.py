"""The read-only ROME search API."""

import pytest

from cep.referentials.models import ROME_ATTRIBUTION
from tests.factories import MembershipFactory


@pytest.fixture
def counsellor(login_as):
    return login_as(MembershipFactory())


def test_job_search(rome, counsellor):
    response = counsellor.get("/api/v1/rome/jobs/", {"q": "electricien"})
    assert response.status_code == 200
    body = response.json()
    assert body["attribution"] == ROME_ATTRIBUTION == "Source : France Travail, ROME 4.0"
    assert body["version"] == "4.60"
    assert len(body["results"]) == 20
    first = body["results"][0]
    assert set(first) == {"code_ogr", "label", "job_code", "job_label"}
    assert first["label"].startswith("Electricien")
    response = counsellor.get("/api/v1/rome/jobs/", {"q": "ÉLECTRICIEN", "limit": "3"})
    assert [hit["code_ogr"] for hit in response.json()["results"]] == [
        hit["code_ogr"] for hit in body["results"][:3]
    ]


def test_skill_search(rome, counsellor):
    response = counsellor.get("/api/v1/rome/skills/", {"q": "soudage", "limit": "100"})
    assert response.status_code == 200
    body = response.json()
    assert body["attribution"] == ROME_ATTRIBUTION
    assert len(body["results"]) == 50  # the API caps the limit at 50; 50 match anyway
    response = counsellor.get("/api/v1/rome/skills/", {"q": "soudage", "category": "savoir_faire"})
    assert {hit["category"] for hit in response.json()["results"]} == {"savoir_faire"}
    assert len(response.json()["results"]) == 14


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "e"}, {"q": "électricien", "limit": "beaucoup"}, {"q": "%_"}],
)
def test_odd_queries_never_fail(rome, counsellor, params):
    for url in ("/api/v1/rome/jobs/", "/api/v1/rome/skills/"):
        response = counsellor.get(url, params)
        assert response.status_code == 200
        assert response.json()["attribution"] == ROME_ATTRIBUTION
        if params.get("q", "") in ("", "e", "%_"):
            assert response.json()["results"] == []


@pytest.mark.django_db
def test_anonymous_is_refused(client):
    for url in ("/api/v1/rome/jobs/?q=electricien", "/api/v1/rome/skills/?q=soudage"):
        assert client.get(url).status_code in (401, 403)


@pytest.mark.django_db
def test_read_only(counsellor):
    assert counsellor.post("/api/v1/rome/jobs/", {"q": "x"}).status_code == 405

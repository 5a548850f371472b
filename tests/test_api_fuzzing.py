"""Schemathesis over the whole OpenAPI schema (bounded): whatever the generated parameters
and bodies, the API answers without a server error, and a refusal is a 400 naming its fields.
Requests go through Django's test client with a manager's token, inside the test's
transaction."""

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cep.models import Membership
from tests.api import token_client
from tests.factories import OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db


def operations():
    spec = json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )
    schema = schemathesis.openapi.from_dict(spec)
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = operations()


def with_nul(value):
    """Every text of a request with a NUL character in it: PostgreSQL refuses NUL in text and
    in JSON, so a value that reaches a query unchecked shows as a server error."""
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, dict):
        return {key: with_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_nul(item) for item in value]
    return value


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_no_server_error(operation):
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    ParcoursFactory(operator=operator, referent=manager)
    client = token_client(manager)
    statuses = set()

    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def call(case, data):
        has_body = case.body is not None and not isinstance(
            case.body, type(schemathesis.core.NOT_SET)
        )
        # The generated request, then the same with a NUL in every text.
        for transform in (lambda value: value, with_nul):
            query = urlencode(transform(case.query or {}), doseq=True)
            path = case.formatted_path + (f"?{query}" if query else "")
            kwargs = {}
            if has_body:
                kwargs = {
                    "data": json.dumps(transform(case.body), default=str),
                    "content_type": "application/json",
                }
            with transaction.atomic():
                response = client.generic(case.method.upper(), path, **kwargs)
                transaction.set_rollback(True)
            statuses.add(response.status_code)
            assert response.status_code < 500, (
                case.method,
                path,
                kwargs.get("data"),
                response.content[:500],
            )
            if response.status_code == 400:  # a refusal says which field, in French
                assert isinstance(response.json(), dict | list), response.content[:300]

    call()
    # The token was accepted: the requests reached the views.
    assert statuses and 401 not in statuses and 403 not in statuses, statuses

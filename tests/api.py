"""A DRF test client acting through an API token of a membership, as an information system does."""

from rest_framework.test import APIClient

from cep.models import Membership
from cep.services import issue_api_token


def token_client(membership: Membership) -> APIClient:
    _, key = issue_api_token(membership=membership, label="Système d'information de test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client

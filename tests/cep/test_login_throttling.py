"""Login throttling: after LOGIN_FAILURE_LIMIT failures, even the right password is refused for
the window; other people are not affected. Counts live in Redis (the cache)."""

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/connexion/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_the_window(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    user = UserFactory()
    for _ in range(5):
        response = attempt(client, user.username, "mauvais-mot-de-passe")
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()

    locked = attempt(client, user.username, PASSWORD)

    assert locked.status_code == 200  # the form again, not a redirect: not logged in
    assert "réessayez dans 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Someone else logs in normally.
    other = UserFactory()
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_a_success_clears_the_count(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(2):
        attempt(client, user.username, "mauvais-mot-de-passe")
    assert attempt(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        attempt(client, user.username, "mauvais-mot-de-passe")
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_the_window_ends_the_lock(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    user = UserFactory()
    attempt(client, user.username, "mauvais-mot-de-passe")
    assert attempt(client, user.username, PASSWORD).status_code == 200
    cache.clear()  # what the expiry of the window does
    assert attempt(client, user.username, PASSWORD).status_code == 302

import pytest
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _scopes_disabled_for_test_setup(request):
    """Test set-up code reads and writes across operators freely.

    A request made through the test client still runs inside the operator scope the middleware
    activates (an inner scope re-enables scoping), so views stay under test. Tests about the scope
    itself are marked ``scoped`` and run without this wrapper.
    """
    if request.node.get_closest_marker("scoped"):
        yield
        return
    with scopes_disabled():
        yield


@pytest.fixture
def login_as(client):
    """Log the test client in as the user of a membership, acting for its operator."""
    from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY

    def _login(membership):
        client.force_login(membership.user)
        session = client.session
        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
        session.save()
        return client

    return _login

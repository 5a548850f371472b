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

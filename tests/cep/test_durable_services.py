"""The services that are always the outermost call refuse to run inside another transaction
(``atomic(durable=True)``); those that other services call do not. Django opens the durable block
before the function reads its arguments, so a call without any shows which kind a service is."""

import pytest
from django.db import transaction

from cep import services as core
from cep.closure import services as closure
from cep.continuity import services as continuity
from cep.duplicates import services as duplicates
from cep.managers import services as managers
from cep.space import services as space

pytestmark = pytest.mark.django_db

DURABLE = [
    core.appoint_coordinator,
    core.issue_coordinator_token,
    core.set_counsellors_second_factor,
    core.issue_api_token,
    core.revoke_api_token,
    core.revoke_coordinator_token,
    core.purge_old_audit_events,
    space.invite_beneficiary,
    space.accept_invitation,
    space.set_consent_from_space,
    space.send_request_from_space,
    space.handle_request,
    space.record_data_export,
    continuity.answer_transfer_from_space,
    continuity.add_co_referent,
    continuity.remove_co_referent,
    continuity.export_liaison_package,
    managers.hand_over_caseload,
    duplicates.merge_beneficiaries,
]

# Called by another service, by the demo seeding inside its transaction, or through the API
# (whose fuzzing test runs each request inside a transaction).
NESTABLE = [
    core.grant_membership,
    core.deactivate_membership,
    core.create_beneficiary,
    core.update_beneficiary,
    core.open_parcours,
    closure.end_parcours,
    closure.reopen_parcours,
    core.record_service,
    continuity.propose_transfer,
    continuity.accept_transfer,
    continuity.refuse_transfer,
    continuity.expire_transfer,
    managers.anonymise_beneficiary,
    managers.reassign_parcours,
]


@pytest.mark.parametrize("service", DURABLE, ids=lambda service: service.__name__)
def test_an_outermost_service_refuses_to_be_nested(service):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        service()


@pytest.mark.parametrize("service", NESTABLE, ids=lambda service: service.__name__)
def test_a_service_that_others_call_runs_inside_their_transaction(service):
    # Past the transaction's opening: the call fails on its missing arguments only.
    with transaction.atomic(), pytest.raises(TypeError, match="keyword-only argument"):
        service()

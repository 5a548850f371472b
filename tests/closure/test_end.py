"""The end of a parcours at any level (issue 20): the end itself, its refusals, the surveys it
plans, reopening within the window and the next parcours past it, the "no news" alert, the
migration of the old reasons."""

from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from cep.closure import selectors, services
from cep.closure.models import ParcoursEvent
from cep.closure.space import no_news_alerts
from cep.models import AuditEvent, Membership, Parcours
from indicateurs.models import FollowUpSurvey
from tests.closure.factories import SubReasonFactory
from tests.factories import ConsentFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db


def parcours_at(level: int, *, opened_days_ago: int = 200) -> Parcours:
    opened = timezone.localdate() - timedelta(days=opened_days_ago)
    return ParcoursFactory(
        entry_level=level,
        current_level=level,
        opened_on=opened,
        level_2_on=opened if level == 2 else None,
        level_3_on=opened if level == 3 else None,
    )


def end(parcours, **overrides):
    arguments = {
        "membership": parcours.referent,
        "parcours": parcours,
        "ended_on": timezone.localdate() - timedelta(days=10),
        "channel": "telephone",
        "reason": Parcours.ClosingReason.COMPLETED,
    }
    arguments.update(overrides)
    with scope(operator=parcours.operator_id):
        return services.end_parcours(**arguments)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_a_parcours_ends_at_any_level_and_plans_the_two_surveys(level):
    parcours = parcours_at(level)
    ConsentFactory(beneficiary=parcours.beneficiary, purpose="enquete_suivi")
    ended_on = timezone.localdate() - timedelta(days=10)
    end(parcours, ended_on=ended_on, reason=Parcours.ClosingReason.TRAINING)
    parcours.refresh_from_db()
    assert (parcours.closed_on, parcours.closing_reason, parcours.current_level) == (
        ended_on,
        "formation",
        level,
    )
    event = ParcoursEvent.objects.get(parcours=parcours)
    assert (event.kind, event.on, event.channel, event.reason, event.level, event.by) == (
        "fin",
        ended_on,
        "telephone",
        "formation",
        level,
        parcours.referent,
    )
    surveys = dict(FollowUpSurvey.objects.filter(parcours=parcours).values_list("moment", "due_on"))
    assert surveys == {"fin": ended_on, "6_mois": ended_on + timedelta(days=182)}
    audit = AuditEvent.objects.filter(
        object_type="cep.parcours", object_id=str(parcours.pk), action="update"
    ).last()
    assert audit.details["motif"] == "formation"


def test_a_manager_ends_a_parcours_they_do_not_follow():
    parcours = parcours_at(2)
    manager = make_membership(operator=parcours.operator, role=Membership.Role.MANAGER)
    end(parcours, membership=manager)
    parcours.refresh_from_db()
    assert not parcours.is_open


def test_another_counsellor_may_not_end_it():
    parcours = parcours_at(2)
    colleague = make_membership(operator=parcours.operator)
    with pytest.raises(PermissionDenied):
        end(parcours, membership=colleague)
    parcours.refresh_from_db()
    assert parcours.is_open and not ParcoursEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ended_on": None}, "ended_on", "Indiquez la date de fin du parcours."),
        ({"ended_on": "future"}, "ended_on", "La date ne peut pas être dans le futur"),
        (
            {"ended_on": "before_opening"},
            "ended_on",
            "La date ne peut pas précéder l'ouverture du parcours",
        ),
        ({"reason": "transfere"}, "reason", "posé par le transfert lui-même"),
        ({"reason": "acheve"}, "reason", "Choisissez le motif de fin dans la liste."),
        ({"reason": "autre"}, "note", "Précisez le motif de fin."),
        ({"reason": "autre", "note": "   "}, "note", "Précisez le motif de fin."),
        ({"channel": "pigeon"}, "channel", "Choisissez la modalité dans la liste."),
        ({"sub_reason": "of_another_reason"}, "sub_reason", "ne relève pas du motif choisi"),
    ],
)
def test_an_implausible_end_is_refused_on_its_field_and_nothing_is_saved(overrides, field, message):
    parcours = parcours_at(3)
    today = timezone.localdate()
    replace = {
        "future": today + timedelta(days=1),
        "before_opening": parcours.opened_on - timedelta(days=1),
        "of_another_reason": SubReasonFactory(
            operator=parcours.operator, national_reason=Parcours.ClosingReason.MOVED
        ),
    }
    overrides = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationError) as refused:
        end(parcours, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    parcours.refresh_from_db()
    assert parcours.is_open
    assert not ParcoursEvent.objects.exists() and not FollowUpSurvey.objects.exists()


def test_other_with_its_text_and_a_sub_reason_of_the_operator():
    parcours = parcours_at(2)
    moved = SubReasonFactory(
        operator=parcours.operator, national_reason=Parcours.ClosingReason.OTHER, label="Santé"
    )
    end(parcours, reason="autre", note="Raisons de santé", sub_reason=moved)
    parcours.refresh_from_db()
    assert (parcours.closing_reason, parcours.closing_note) == ("autre", "Raisons de santé")
    assert ParcoursEvent.objects.get(parcours=parcours).sub_reason == moved


def test_an_ended_parcours_cannot_end_twice():
    parcours = parcours_at(1)
    end(parcours)
    with pytest.raises(ValidationError, match="déjà terminé"):
        end(parcours)


def test_reopen_within_the_window_cancels_the_planned_surveys_and_keeps_the_history(settings):
    settings.PARCOURS_REOPEN_DAYS = 90
    parcours = parcours_at(3)
    ended_on = timezone.localdate() - timedelta(days=30)
    end(parcours, ended_on=ended_on)
    sent = FollowUpSurvey.objects.get(parcours=parcours, moment="fin")
    sent.status = FollowUpSurvey.Status.SENT
    sent.save()
    with scope(operator=parcours.operator_id):
        services.reopen_parcours(
            membership=parcours.referent,
            parcours=parcours,
            reason="La formation visée est annulée",
            today=ended_on + timedelta(days=90),  # the last day of the window
        )
    parcours.refresh_from_db()
    assert (parcours.closed_on, parcours.closing_reason) == (None, "")
    history = list(ParcoursEvent.objects.filter(parcours=parcours).values_list("kind", "note"))
    assert history == [("fin", ""), ("reouverture", "La formation visée est annulée")]
    # The survey already sent stays (and counts); the six-month one is cancelled.
    assert list(
        FollowUpSurvey.objects.filter(parcours=parcours).values_list("moment", "status")
    ) == [("fin", "envoyee")]


def test_reopen_is_refused_past_the_window_and_a_linked_parcours_is_opened(settings, client):
    settings.PARCOURS_REOPEN_DAYS = 90
    parcours = parcours_at(2)
    ended_on = timezone.localdate() - timedelta(days=100)
    end(parcours, ended_on=ended_on)
    with scope(operator=parcours.operator_id), pytest.raises(ValidationError) as refused:
        services.reopen_parcours(
            membership=parcours.referent,
            parcours=parcours,
            reason="Retour",
            today=ended_on + timedelta(days=91),
        )
    assert "Le délai de réouverture (90 jours) est dépassé" in " ".join(refused.value.messages)
    with scope(operator=parcours.operator_id):
        following = services.open_following_parcours(
            membership=parcours.referent, previous=parcours, entry_level=2
        )
    assert following.previous_parcours == parcours and following.is_open
    assert list(
        Parcours.objects.filter(beneficiary=parcours.beneficiary)
        .order_by("pk")
        .values_list("pk", "closed_on")
    ) == [(parcours.pk, ended_on), (following.pk, None)]


def test_reopen_asks_for_a_reason_and_refuses_a_transferred_parcours():
    parcours = parcours_at(2)
    end(parcours)
    with scope(operator=parcours.operator_id), pytest.raises(ValidationError) as refused:
        services.reopen_parcours(membership=parcours.referent, parcours=parcours, reason=" ")
    assert refused.value.message_dict == {"reason": ["Indiquez pourquoi le parcours est rouvert."]}
    transferred = parcours_at(2)
    end(transferred, reason="transfere", by_system=True)
    with scope(operator=transferred.operator_id), pytest.raises(ValidationError, match="transféré"):
        services.reopen_parcours(
            membership=transferred.referent, parcours=transferred, reason="Erreur"
        )


def test_a_transfer_ends_the_sending_parcours_as_transferred_without_surveys():
    parcours = parcours_at(2)
    end(parcours, membership=None, reason="transfere", channel="", by_system=True)
    parcours.refresh_from_db()
    assert parcours.closing_reason == "transfere"
    assert ParcoursEvent.objects.get(parcours=parcours).by is None
    assert not FollowUpSurvey.objects.filter(parcours=parcours).exists()


def test_no_news_is_an_alert_after_the_delay_never_an_end(settings):
    settings.NO_NEWS_ALERT_DAYS = 90
    today = timezone.localdate()
    quiet = ParcoursFactory(opened_on=today - timedelta(days=200))
    quiet.last_contact_on = today - timedelta(days=91)
    quiet.save()
    counsellor = quiet.referent
    recent = ParcoursFactory(
        operator=counsellor.operator, referent=counsellor, opened_on=today - timedelta(days=200)
    )
    recent.last_contact_on = today - timedelta(days=90)
    recent.save()
    never = ParcoursFactory(
        operator=counsellor.operator, referent=counsellor, opened_on=today - timedelta(days=95)
    )
    with scope(operator=counsellor.operator_id):
        found = [p.pk for p in selectors.without_news(counsellor)]
        alerts = no_news_alerts(counsellor)
    # The longest without news first: the last contact 91 days ago, then the opening 95 days ago.
    assert found == [never.pk, quiet.pk]
    assert len(alerts) == 2
    assert all("sans nouvelles" in alert.text for alert in alerts)
    assert all(alert.url.endswith("?motif=sans_nouvelles") for alert in alerts)
    quiet.refresh_from_db()
    assert quiet.is_open  # proposed, never applied


def test_the_migration_maps_the_old_reasons_and_back():
    from importlib import import_module

    migration = import_module("cep.migrations.0016_parcours_end")
    old = {
        "acheve": ParcoursFactory(closed=True),
        "oriente": ParcoursFactory(closed=True),
        "abandon": ParcoursFactory(closed=True),
        "sans_nouvelles": ParcoursFactory(closed=True),
        "inegible": ParcoursFactory(closed=True),
        "transfere": ParcoursFactory(closed=True),
    }
    for reason, parcours in old.items():
        Parcours.objects.filter(pk=parcours.pk).update(closing_reason=reason)
    migration.forward(django_apps, None)
    now = dict(Parcours.objects.values_list("pk", "closing_reason"))
    assert {reason: now[p.pk] for reason, p in old.items()} == {
        "acheve": "projet_realise",
        "oriente": "oriente",
        "abandon": "arret",
        "sans_nouvelles": "sans_nouvelles",
        "inegible": "autre",
        "transfere": "transfere",
    }
    assert Parcours.objects.get(pk=old["inegible"].pk).closing_note == "Ne relève plus du CEP"
    migration.backward(django_apps, None)
    back = dict(Parcours.objects.values_list("pk", "closing_reason"))
    assert {reason: back[p.pk] for reason, p in old.items()} == {r: r for r in old}


def test_the_level_1_decision_ends_through_the_same_service():
    from accueil import services as accueil
    from tests.accueil.factories import IntakeRequestFactory

    intake = IntakeRequestFactory()
    parcours = intake.parcours
    decided_on = max(intake.received_on, parcours.opened_on)
    with scope(operator=parcours.operator_id):
        accueil.decide_level1_outcome(
            membership=parcours.referent,
            intake_request=intake,
            outcome="arret",
            decided_on=decided_on,
            reason="A trouvé un emploi seule",
        )
    event = ParcoursEvent.objects.get(parcours=parcours)
    assert (event.kind, event.reason, event.level, event.on) == ("fin", "arret", 1, decided_on)


def test_reopen_deadline_is_the_end_plus_the_window(settings):
    settings.PARCOURS_REOPEN_DAYS = 90
    parcours = Parcours(closed_on=date(2026, 1, 31))
    assert services.reopen_deadline(parcours) == date(2026, 5, 1)
    assert services.can_reopen(parcours, today=date(2026, 5, 1))
    assert not services.can_reopen(parcours, today=date(2026, 5, 2))

from django.urls import path

from accueil import views

app_name = "accueil"

urlpatterns = [
    path("demandes/", views.RequestsOfDayView.as_view(), name="requests"),
    path("demandes/nouvelle/", views.IntakeView.as_view(), name="intake"),
    path("demandes/nouvelle/abandon/", views.IntakeCancelView.as_view(), name="intake_cancel"),
    path(
        "demandes/<int:intakerequest_pk>/",
        views.RequestDetailView.as_view(),
        name="request_detail",
    ),
    path(
        "demandes/<int:intakerequest_pk>/information/",
        views.InformationView.as_view(),
        name="information",
    ),
    path(
        "demandes/<int:intakerequest_pk>/orientation/",
        views.RoutingView.as_view(),
        name="routing",
    ),
    path("demandes/<int:intakerequest_pk>/suite/", views.OutcomeView.as_view(), name="outcome"),
    path(
        "orientations/<int:routing_pk>/statut/",
        views.RoutingStatusView.as_view(),
        name="routing_status",
    ),
    path("sessions/", views.SessionsView.as_view(), name="sessions"),
    path("sessions/nouvelle/", views.SessionCreateView.as_view(), name="session_create"),
    path(
        "sessions/<int:informationsession_pk>/",
        views.SessionDetailView.as_view(),
        name="session_detail",
    ),
    path(
        "sessions/<int:informationsession_pk>/inscription/",
        views.SessionRegisterView.as_view(),
        name="session_register",
    ),
    path(
        "sessions/<int:informationsession_pk>/annulation/",
        views.SessionCancelView.as_view(),
        name="session_cancel",
    ),
    path(
        "inscriptions/<int:sessionregistration_pk>/presence/",
        views.SessionAttendanceView.as_view(),
        name="attendance",
    ),
    path("orientation/", views.RoutingSetupView.as_view(), name="routing_setup"),
    path(
        "orientation/structures/nouvelle/",
        views.StructureEditView.as_view(),
        name="structure_create",
    ),
    path(
        "orientation/structures/<int:structure_pk>/",
        views.StructureEditView.as_view(),
        name="structure_edit",
    ),
    path("orientation/regles/nouvelle/", views.RuleEditView.as_view(), name="rule_create"),
    path(
        "orientation/regles/<int:routingrule_pk>/",
        views.RuleEditView.as_view(),
        name="rule_edit",
    ),
    path(
        "orientation/regles/<int:routingrule_pk>/suppression/",
        views.RuleDeleteView.as_view(),
        name="rule_delete",
    ),
]

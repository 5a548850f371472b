from django.urls import path

from cep.managers import duplicates, views

urlpatterns = [
    path("gestion/equipe/", views.TeamView.as_view(), name="manager_team"),
    path(
        "gestion/equipe/<int:membership_pk>/",
        views.CounsellorCaseloadView.as_view(),
        name="manager_counsellor",
    ),
    path("gestion/a-suivre/", views.FollowUpView.as_view(), name="manager_followup"),
    path("gestion/reaffecter/", views.ReassignView.as_view(), name="manager_reassign"),
    path("gestion/conservation/", views.RetentionView.as_view(), name="manager_retention"),
    path("gestion/securite/", views.SecuritySettingsView.as_view(), name="manager_security"),
    path("gestion/doublons/", duplicates.LikelyDuplicatesView.as_view(), name="manager_duplicates"),
    path(
        "gestion/doublons/<int:beneficiary_pk>/fusion/",
        duplicates.MergeView.as_view(),
        name="manager_merge",
    ),
    path(
        "beneficiaires/<int:beneficiary_pk>/anonymiser/",
        views.AnonymiseBeneficiaryView.as_view(),
        name="beneficiary_anonymise",
    ),
]

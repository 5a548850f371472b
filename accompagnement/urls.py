from django.urls import path

from accompagnement import views

app_name = "accompagnement"

P = "parcours/<int:parcours_pk>/plan/"

urlpatterns = [
    path(P, views.PlanView.as_view(), name="plan"),
    path(f"{P}etapes/nouvelle/", views.AddItemView.as_view(kind="step"), name="add_step"),
    path(f"{P}actions/nouvelle/", views.AddItemView.as_view(kind="action"), name="add_action"),
    path(f"{P}formation/", views.AddItemView.as_view(kind="training"), name="add_training"),
    path(
        f"{P}prestations/nouvelle/", views.AddItemView.as_view(kind="external"), name="add_external"
    ),
    path(f"{P}couts/nouveau/", views.AddItemView.as_view(kind="cost"), name="add_cost"),
    path(
        f"{P}financements/nouveau/", views.AddItemView.as_view(kind="funding"), name="add_funding"
    ),
    path(f"{P}dispositifs/", views.SchemesView.as_view(), name="schemes"),
    path(f"{P}faits/", views.FactsView.as_view(), name="facts"),
    path(f"{P}echanges/nouveau/", views.ContactView.as_view(), name="contact"),
    path(f"{P}accord/", views.AgreementView.as_view(), name="agreement"),
    path(f"{P}revision/", views.ReviseView.as_view(), name="revise"),
    path(f"{P}comparaison/", views.DiffView.as_view(), name="diff"),
    path(
        f"{P}actions/<int:action_pk>/statut/",
        views.ActionStatusView.as_view(),
        name="action_status",
    ),
    path(
        f"{P}financements/<int:fundingrequest_pk>/reponse/",
        views.FundingAnswerView.as_view(),
        name="funding_answer",
    ),
    path(
        f"{P}financements/<int:fundingrequest_pk>/avis/",
        views.OverrideView.as_view(),
        name="override",
    ),
    path(
        f"{P}prestations/<int:externalservice_pk>/suivi/",
        views.FollowUpView.as_view(),
        name="follow_up",
    ),
] + [
    # Corrections to the draft: each item edited, or removed after a confirmation.
    path(
        f"{P}{segment}/<int:{views.ITEM_PARAMS[kind]}>/{verb}/",
        view.as_view(kind=kind),
        name=f"{name}_{kind}",
    )
    for kind, segment in [
        ("step", "etapes"),
        ("action", "actions"),
        ("training", "formations"),
        ("external", "prestations"),
        ("cost", "couts"),
        ("funding", "financements"),
    ]
    for verb, view, name in [
        ("modifier", views.EditItemView, "edit"),
        ("retirer", views.DeleteItemView, "delete"),
    ]
]

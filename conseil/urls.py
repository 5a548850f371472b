from django.urls import path

from conseil import views

app_name = "conseil"

P = "parcours/<int:parcours_pk>/"

urlpatterns = [
    path(P, views.InterviewsView.as_view(), name="interviews"),
    path(f"{P}demande/", views.DemandView.as_view(), name="demand"),
    path(f"{P}competences/", views.SkillsView.as_view(), name="skills"),
    path(f"{P}competences/rome/", views.AddRomeSkillView.as_view(), name="skill_add_rome"),
    path(f"{P}competences/libre/", views.AddFreeSkillView.as_view(), name="skill_add_free"),
    path(f"{P}competences/metier/", views.AddSkillsFromJobView.as_view(), name="skill_add_job"),
    path(
        f"{P}competences/<int:heldskill_pk>/retrait/",
        views.RemoveSkillView.as_view(),
        name="skill_remove",
    ),
    path(f"{P}metiers/", views.JobsView.as_view(), name="jobs"),
    path(f"{P}metiers/besoin/", views.AddTrainingNeedView.as_view(), name="training_need"),
    path(f"{P}projet/", views.ProjectView.as_view(), name="project"),
    path(
        f"{P}projet/<int:projectversion_pk>/accord/",
        views.AgreementView.as_view(),
        name="agreement",
    ),
    path(f"{P}strategie/", views.StrategyView.as_view(), name="strategy"),
    path(
        f"{P}strategie/<int:strategyoption_pk>/choix/",
        views.RetainStrategyView.as_view(),
        name="retain",
    ),
    path(f"{P}niveau-3/", views.MoveToLevel3View.as_view(), name="level_3"),
]

"""URLs of the registration wizard, mounted at /inscription/."""

from django.urls import path

from candidates.registration import views as wizard_views
from candidates.registration import withdrawal_views

app_name = "registration"

urlpatterns = [
    path("", wizard_views.start, name="start"),
    path("<int:pk>/", wizard_views.detail, name="detail"),
    path("<int:pk>/desistement/", withdrawal_views.withdraw, name="withdraw"),
    path("<int:pk>/supprimer/", withdrawal_views.delete_draft, name="delete_draft"),
    path("<int:pk>/<slug:tab>/", wizard_views.tab, name="tab"),
]

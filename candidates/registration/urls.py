"""URLs of the registration wizard, mounted at /inscription/."""

from django.urls import path

from candidates.registration import views as wizard_views

app_name = "registration"

urlpatterns = [
    path("", wizard_views.start, name="start"),
    path("<int:pk>/", wizard_views.detail, name="detail"),
    path("<int:pk>/<slug:tab>/", wizard_views.tab, name="tab"),
]

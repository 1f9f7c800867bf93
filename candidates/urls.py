from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "candidates"

urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(template_name="candidates/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mon-espace/", views.space, name="space"),
]

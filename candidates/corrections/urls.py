"""URLs of the corrections workflow (included in the ``candidates`` namespace)."""

from django.urls import path

from candidates.corrections import views

urlpatterns = [
    path("mon-espace/profil/mes-dossiers/", views.contact_update, name="contact_update"),
    path("gestion/dossiers/<int:pk>/rectifier/", views.staff_correct, name="staff_correct"),
]

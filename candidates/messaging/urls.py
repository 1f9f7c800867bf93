"""URLs of the conversation (included in the ``candidates`` namespace)."""

from django.urls import path

from candidates.messaging import views

urlpatterns = [
    path("mon-espace/dossiers/<int:pk>/messages/", views.thread, name="thread"),
    path("gestion/dossiers/<int:pk>/messages/", views.staff_thread, name="staff_thread"),
    path("messages/pieces-jointes/<uuid:uuid>/", views.attachment, name="thread_attachment"),
]

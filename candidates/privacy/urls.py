from django.urls import path

from candidates.privacy import views

# Included in the candidates namespace (candidates/urls.py).
urlpatterns = [
    path("mon-espace/mes-donnees/", views.privacy, name="privacy"),
    path("mon-espace/mes-donnees/export/", views.export_request, name="privacy_export"),
    path(
        "mon-espace/mes-donnees/export/<uuid:request_uuid>/",
        views.export_download,
        name="privacy_export_file",
    ),
    path("mon-espace/mes-donnees/effacement/", views.erasure_request, name="privacy_erasure"),
]

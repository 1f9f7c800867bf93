from django.urls import path

from documents.recap import views

app_name = "recap"

urlpatterns = [
    path("mes-documents/", views.documents, name="documents"),
    path("mes-documents/<int:document_id>/telecharger/", views.download, name="download"),
    path("mes-documents/<int:document_id>/telecharger-signe/", views.download_signed, name="download_signed"),
    path(
        "mes-documents/du-bureau/<uuid:document_uuid>/", views.staff_document, name="staff_document"
    ),  # issue 14
    path("mes-documents/dossier/<int:dossier_id>/etat/", views.status, name="status"),
    path("mes-documents/dossier/<int:dossier_id>/signer/", views.sign, name="sign"),
    path("mes-documents/dossier/<int:dossier_id>/generer/", views.regenerate, name="regenerate"),
    path("mes-documents/dossier/<int:dossier_id>/relancer/", views.requeue, name="requeue"),  # issue 17
    path(
        "mes-documents/dossier/<int:dossier_id>/mes-epreuves.ics",
        views.convocation_ics,
        name="convocation_ics",
    ),  # issue 14
    path("verifier/", views.verify_upload, name="verify"),
    path("verifier/<str:token>/", views.verify_token, name="verify_token"),
]

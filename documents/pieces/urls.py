from django.urls import path

from documents.pieces import views

app_name = "documents"

urlpatterns = [
    path("mes-justificatifs/", views.pieces_index, name="pieces_index"),
    path("mes-justificatifs/<int:dossier_id>/", views.dossier_pieces, name="dossier_pieces"),
    path("mes-justificatifs/<int:dossier_id>/deposer/<slug:code>/", views.piece_upload, name="piece_upload"),
    path("mes-justificatifs/<int:dossier_id>/verifications/", views.upload_status, name="upload_status"),
    path("mes-justificatifs/<int:dossier_id>/verrouiller/", views.pieces_lock, name="pieces_lock"),
    path("justificatifs/fichiers/<uuid:file_uuid>/", views.piece_file, name="piece_file"),
    path("simulateur/", views.simulator, name="simulator"),
]

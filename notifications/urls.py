from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("mes-messages/", views.inbox, name="inbox"),
    path("mes-messages/<int:pk>/", views.detail, name="detail"),
]

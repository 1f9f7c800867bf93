"""URLs of the help pages, mounted at /aide/ (namespace ``help``)."""

from django.urls import path

from exams.helpdesk import views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.page, name="page"),
]

"""The candidates app's URLs (namespace ``candidates``): the account pages and the space."""

from django.urls import path

from candidates import views
from candidates.accounts.urls import urlpatterns as account_urlpatterns
from candidates.corrections.urls import urlpatterns as correction_urlpatterns
from candidates.messaging.urls import urlpatterns as messaging_urlpatterns
from candidates.privacy.urls import urlpatterns as privacy_urlpatterns

app_name = "candidates"

urlpatterns = [
    *account_urlpatterns,
    *privacy_urlpatterns,
    *correction_urlpatterns,
    *messaging_urlpatterns,
    path("mon-espace/", views.space, name="space"),
]

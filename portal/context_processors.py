"""Values every page template needs."""

from django.conf import settings


def portal(request):
    return {"SITE_NAME": "Portail des examens — BTS", "SITE_URL": settings.SITE_URL}

"""The portal's URLs: each app brings its own, under a French path."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from candidates.accounts import staff as staff_views
from exams import views as exam_views
from portal.health import health

admin.site.site_header = "Portail des examens — administration"
admin.site.site_title = "Administration du portail"
admin.site.index_title = "Bureau des examens"

urlpatterns = [
    path("", exam_views.home, name="home"),
    path("sante/", health, name="health"),
    path("personnel/activation/<uidb64>/<token>/", staff_views.activate, name="staff_activate"),
    # Before the admin's own URLs: the académie's manager invites a gestionnaire (issue 13).
    path("admin/exams/staffassignment/inviter/", staff_views.invite, name="staff_invite"),
    path("admin/", admin.site.urls),
    path("", include("candidates.urls")),
    path("inscription/", include("candidates.registration.urls")),  # issue 4
    path("", include("documents.pieces.urls")),
    path("", include("documents.recap.urls")),  # issue 6
    path("", include("notifications.urls")),
    path("aide/", include("exams.helpdesk.urls")),  # issue 14
]

# issue 17: French pages rendered without the database or the cache (portal/errors.py).
handler500 = "portal.errors.handler500"

if settings.BENCH_VIEWS:  # `make bench` only (benchmarks/stack.py sets it): never in production
    from portal import bench_views

    urlpatterns.append(path("_bench/plafond/", bench_views.ceiling, name="bench_ceiling"))

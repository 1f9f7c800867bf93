"""The "ceiling" of `make bench`: the least a logged-in Django page can cost on this stack (the
session and the user read, a tiny template rendered). Mounted only when ``BENCH_VIEWS`` is on, which
only benchmarks/ sets; production URLs never include it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def ceiling(request):
    return render(request, "bench/ceiling.html", {"email": request.user.email})

"""The candidate's inbox, "Mes messages": thin views over selectors and services."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404, render

from . import selectors, services
from .models import Message

PER_PAGE = 20


@login_required
def inbox(request):
    rows = selectors.inbox_messages(user=request.user)
    number = request.GET.get("page")
    if number in (None, "", "1"):
        # issue 15: most inboxes hold one page. Its rows and one more are read first; the COUNT
        # that numbers the pages is asked only when there is a second page.
        first = list(rows[: PER_PAGE + 1])
        if len(first) <= PER_PAGE:
            page = Paginator(first, PER_PAGE).get_page(1)
        else:  # the rows already read, the COUNT for the pages' numbers
            page = Page(first[:PER_PAGE], 1, Paginator(rows, PER_PAGE))
        return render(request, "notifications/inbox.html", {"page": page})
    page = Paginator(rows, PER_PAGE).get_page(number)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
def detail(request, pk: int):
    # Another candidate's message is a 404, never a 403: its existence is not disclosed.
    message = get_object_or_404(Message.objects.select_related("dossier"), pk=pk, recipient=request.user)
    services.message_mark_read(message=message)
    return render(request, "notifications/detail.html", {"msg": message})

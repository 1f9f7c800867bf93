"""The candidate's inbox, "Mes messages": thin views over selectors and services."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from portal.paging import CountWhenPagedPaginator

from . import selectors, services
from .models import Message


@login_required
def inbox(request):
    # issue 15: most inboxes hold one page; the COUNT only when there is a second.
    paginator = CountWhenPagedPaginator(selectors.inbox_messages(user=request.user), 20)
    return render(request, "notifications/inbox.html", {"page": paginator.get_page(request.GET.get("page"))})


@login_required
def detail(request, pk: int):
    # Another candidate's message is a 404, never a 403: its existence is not disclosed.
    message = get_object_or_404(Message.objects.select_related("dossier"), pk=pk, recipient=request.user)
    services.message_mark_read(message=message)
    return render(request, "notifications/detail.html", {"msg": message})

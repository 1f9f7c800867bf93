"""A paginator that counts only when there is more than one page (issue 15).

Django's Paginator counts the list (a COUNT query) before it reads any page, to validate the page
number and number the pages. Most candidates' lists hold one page: the first page's rows and one
more are read first, and the count is asked only when that extra row exists (the template's
"Page 1 sur N" then asks it). Other pages are paginated as Django does. The admin's long lists
have their own (``portal.admin_paging.CappedCountPaginator``)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class CountWhenPagedPaginator(Paginator):
    def get_page(self, number) -> Page:
        if number in (None, "", "1", 1):
            return self.page(1)
        return super().get_page(number)

    def page(self, number) -> Page:
        if number not in ("1", 1):
            return super().page(number)
        first = list(self.object_list[: self.per_page + 1])
        if len(first) <= self.per_page:
            self.__dict__["count"] = len(first)  # Paginator.count is a cached_property
        return self._get_page(first[: self.per_page], 1, self)

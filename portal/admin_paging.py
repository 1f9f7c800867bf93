"""A paginator that stops counting (issue 15): the admin counts the filtered list on every page for
its pagination, and at 100,000 dossiers that COUNT(*) was most of the list's time (a scan of every
row with the scope's subqueries). Counting stops at ``cap`` + 1 rows (a LIMIT inside the count); past
it the pages say "plus de 10 000" and offer the first ``cap`` / ``per_page`` pages. Filters, search
and the dashboard give exact figures for what a gestionnaire counts."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Subquery
from django.utils.formats import number_format
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    count_cap = 10_000
    narrow_from = 1_000

    @cached_property
    def count(self) -> int:
        # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1): PostgreSQL stops at the cap.
        return self.object_list.order_by()[: self.count_cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.count_cap

    @property
    def cap(self) -> str:
        return number_format(self.count_cap, force_grouping=True)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        query = getattr(self.object_list, "query", None)
        # A DISTINCT list selects its ordering's columns too: no single-column subquery for it.
        if query is None or query.distinct:
            return super().page(number)
        # Keys first for a deep page, and for any long list: PostgreSQL joins every row of a
        # search's matches (3,668 for a common name at 100,000 dossiers) to the session, the
        # specialty, the candidate… before sorting them and keeping 50 (76 ms); the 50 keys are
        # sorted from the dossier alone, then only their rows are joined.
        if bottom < self.narrow_from and self.count <= self.narrow_from:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(_rows_of(self.object_list, Subquery(keys)), number, self)


def _rows_of(object_list, keys: Subquery):
    """The rows of ``keys``, with the list's columns, joins and ordering. The keys already answer
    the list's conditions (scope, filters, search), so the rows' query drops them when it can:
    repeating a search's subqueries cost as much again (18 of the 53 ms at 100,000 dossiers).
    It can when every join is many-to-one (a forward foreign key, as select_related makes), so
    no condition was choosing among several related rows."""
    from django.db.models import ForeignObjectRel
    from django.db.models.sql.datastructures import Join
    from django.db.models.sql.where import WhereNode

    query = object_list.query
    many_to_one = all(
        not isinstance(join, Join) or not isinstance(join.join_field, ForeignObjectRel)
        for join in query.alias_map.values()
    )
    rows = object_list.all()
    if many_to_one:
        rows.query.where = WhereNode()
    return rows.filter(pk__in=keys)

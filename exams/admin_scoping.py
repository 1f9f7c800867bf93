"""What an academy manager's admin pages show: only the académies they manage. Shared by the
catalogue's admin and the help pages' admin (exams/helpdesk), so neither imports the other."""

from exams.selectors import managed_academies


class ManagedAcademieMixin:
    """An academy manager sees and edits only the académies they manage (Nantes cannot change
    Toulouse's calendar); a superuser sees all."""

    academie_path = "academie"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.academie_path}__in": managed_academies(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "academie" and not request.user.is_superuser:
            kwargs["queryset"] = managed_academies(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

"""The CSV of épreuve sittings (django-import-export): one row per épreuve of a session, checked
row by row with French messages, and limited to the sessions of the académies the importing
manager manages (an import naming another académie's session is refused on that row)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats.base_formats import CSV

from exams.models import Epreuve, Session, Specialty
from exams.selectors import managed_academies
from exams.sittings.models import EpreuveSitting

# The file's columns, in order (the export writes the same ones, so an export edited and imported
# again updates the sittings rather than duplicating them).
COLUMNS = ("session", "specialite", "epreuve", "date", "debut", "fin", "centre", "adresse", "consignes")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
TIME_FORMATS = ("%H:%M", "%Hh%M", "%H h %M", "%Hh", "%H:%M:%S")


class SpreadsheetCSV(CSV):
    """CSV as a French spreadsheet saves it: ";" between columns (as "," is the decimal mark),
    or "," or a tab; the separator is read from the header line."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        header = in_stream.lstrip("\ufeff").split("\n", 1)[0]
        kwargs.setdefault("delimiter", max(";,\t", key=header.count))
        return super().create_dataset(in_stream.lstrip("\ufeff"), **kwargs)


def _cell(row, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _parse(value: str, formats: tuple[str, ...]) -> dt.datetime | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


class EpreuveSittingResource(resources.ModelResource):
    session = fields.Field(column_name="session")
    specialite = fields.Field(column_name="specialite")
    epreuve = fields.Field(column_name="epreuve")
    date = fields.Field(column_name="date")
    debut = fields.Field(column_name="debut")
    fin = fields.Field(column_name="fin")
    centre = fields.Field(column_name="centre")
    adresse = fields.Field(column_name="adresse")
    consignes = fields.Field(column_name="consignes")

    class Meta:
        model = EpreuveSitting
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS
        clean_model_instances = True
        use_transactions = True
        skip_diff = True

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # --- import: every cell checked, every problem of a row said at once ----------------------------
    def _sessions(self):
        sessions = Session.objects.select_related("academie")
        if self.user is None or self.user.is_superuser:
            return sessions
        return sessions.filter(academie__in=managed_academies(self.user))

    def _resolve(self, row) -> dict:
        errors: list[str] = []
        values: dict = {}
        code = _cell(row, "session")
        session = self._sessions().filter(code=code).first() if code else None
        if session is None:
            errors.append(
                _("Session « %(code)s » inconnue ou d'une académie que vous ne gérez pas.") % {"code": code}
                if code
                else _("La colonne « session » est vide (le code de la session, ex. : nancy-metz-bts-2025).")
            )
        specialty_code = _cell(row, "specialite")
        specialty = Specialty.objects.filter(code=specialty_code).first() if specialty_code else None
        if specialty is None:
            errors.append(
                _("Spécialité « %(code)s » inconnue.") % {"code": specialty_code}
                if specialty_code
                else _("La colonne « specialite » est vide (le code de la spécialité).")
            )
        epreuve_code = _cell(row, "epreuve")
        epreuve = None
        if specialty is not None:
            epreuve = Epreuve.objects.filter(specialty=specialty, code__iexact=epreuve_code).first()
            if epreuve is None:
                errors.append(
                    _("Épreuve « %(code)s » inconnue dans la spécialité « %(specialty)s ».")
                    % {"code": epreuve_code, "specialty": specialty}
                )
        day = _parse(_cell(row, "date"), DATE_FORMATS)
        if day is None:
            errors.append(
                _("Date « %(value)s » illisible : écrivez JJ/MM/AAAA (ex. : 12/05/2025).")
                % {"value": _cell(row, "date")}
            )
        times = {}
        for column, label in (("debut", _("début")), ("fin", _("fin"))):
            parsed = _parse(_cell(row, column), TIME_FORMATS)
            if parsed is None:
                errors.append(
                    _("Heure de %(label)s « %(value)s » illisible : écrivez HH:MM (ex. : 08:30).")
                    % {"label": label, "value": _cell(row, column)}
                )
            times[column] = parsed.time() if parsed else None
        if not _cell(row, "centre"):
            errors.append(_("Le centre d'examen manque (colonne « centre »)."))
        if not _cell(row, "adresse"):
            errors.append(_("L'adresse du centre manque (colonne « adresse »)."))
        if errors:
            raise ValidationError({NON_FIELD_ERRORS: errors})
        # The wall-clock times of the file are the académie's (Martinique's 08:00 is its own).
        academie = session.academie
        values.update(
            session=session,
            epreuve=epreuve,
            starts_at=academie.make_aware(dt.datetime.combine(day.date(), times["debut"])),
            ends_at=academie.make_aware(dt.datetime.combine(day.date(), times["fin"])),
            centre_name=_cell(row, "centre")[:200],
            centre_address=_cell(row, "adresse"),
            instructions=_cell(row, "consignes"),
        )
        return values

    def get_or_init_instance(self, instance_loader, row):
        values = self._resolve(row)
        row["_values"] = values
        instance = EpreuveSitting.objects.filter(session=values["session"], epreuve=values["epreuve"]).first()
        if instance is not None:
            return instance, False
        return EpreuveSitting(session=values["session"], epreuve=values["epreuve"]), True

    def import_instance(self, instance, row, **kwargs):
        for name, value in row["_values"].items():
            setattr(instance, name, value)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique=False)
        except ValidationError as exc:
            # The model's messages are already French sentences; one list reads better than
            # field names the file does not have.
            raise ValidationError({NON_FIELD_ERRORS: exc.messages}) from exc

    # --- export: the same columns -----------------------------------------------------------------
    def _local(self, sitting: EpreuveSitting, value: dt.datetime) -> dt.datetime:
        return sitting.session.academie.localtime(value)

    def dehydrate_session(self, sitting):
        return sitting.session.code

    def dehydrate_specialite(self, sitting):
        return sitting.epreuve.specialty.code

    def dehydrate_epreuve(self, sitting):
        return sitting.epreuve.code

    def dehydrate_date(self, sitting):
        return self._local(sitting, sitting.starts_at).strftime("%d/%m/%Y")

    def dehydrate_debut(self, sitting):
        return self._local(sitting, sitting.starts_at).strftime("%H:%M")

    def dehydrate_fin(self, sitting):
        return self._local(sitting, sitting.ends_at).strftime("%H:%M")

    def dehydrate_centre(self, sitting):
        return sitting.centre_name

    def dehydrate_adresse(self, sitting):
        return sitting.centre_address

    def dehydrate_consignes(self, sitting):
        return sitting.instructions

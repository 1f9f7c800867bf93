# issue 15: the piece counts of a dossier become columns, kept by documents.pieces.counters.

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_existing_pieces(apps, schema_editor):
    Dossier = apps.get_model("candidates", "Dossier")
    Piece = apps.get_model("documents", "Piece")

    def count(**filters):
        pieces = (
            Piece.objects.filter(dossier=OuterRef("pk"), **filters)
            .order_by()
            .values("dossier")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(pieces, output_field=IntegerField()), Value(0))

    Dossier.objects.update(pieces_total=count(), pieces_accepted=count(state="accepted"))


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0003_dossier_number_counter"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="pieces_accepted",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="pièces acceptées"),
        ),
        migrations.AddField(
            model_name="dossier",
            name="pieces_total",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="pièces déposées"),
        ),
        migrations.RunPython(count_existing_pieces, migrations.RunPython.noop),
    ]

"""Staff roles as Django groups (domain.md §1): "Gestionnaire" reviews dossiers; "Responsable
académique" configures the catalogue, the piece rules, the calendars, assigns gestionnaires, and
reviews. Which dossiers each one sees is decided by candidates.permissions, not by the groups.

The groups are (re)built idempotently after every migrate; exams.staff grants and revokes them
with the assignments (staff_assign, staff_unassign), and re-syncs every assigned user after a
migrate, so a permission added to a role reaches the accounts without a manual step.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

GESTIONNAIRE = "Gestionnaire"
MANAGER = "Responsable académique"

# (app_label, model, actions). A model absent from this branch (documents.PieceRule before issue 5
# is merged) is simply skipped: codenames are looked up, never assumed.
_REVIEW = [
    ("candidates", "dossier", ["view", "change"]),  # "change" is the review permission
    ("candidates", "dossierepreuve", ["view"]),
    ("documents", "piece", ["view", "change"]),
    ("documents", "piecefile", ["view"]),
    ("documents", "generateddocument", ["view"]),
    ("exams", "academie", ["view"]),
    ("exams", "session", ["view"]),
    ("exams", "specialty", ["view"]),
    ("exams", "specialtyoption", ["view"]),
    ("exams", "epreuve", ["view"]),
    ("exams", "sessionspecialty", ["view"]),
    ("exams", "epreuvesitting", ["view"]),  # the convocations' dates and centres (issue 14)
]
_ALL = ["view", "add", "change", "delete"]
# The national referential (specialties, options, épreuves, languages) is read-only for managers:
# only what belongs to their académie's sessions is theirs to change (issue 13).
_CONFIGURE = [
    ("exams", "session", _ALL),
    ("exams", "sessionspecialty", _ALL),
    ("exams", "language", ["view"]),
    ("exams", "departement", ["view", "change"]),
    ("exams", "academie", ["view", "change"]),
    ("exams", "exam", ["view"]),
    ("exams", "staffassignment", _ALL),
    ("documents", "piecerule", _ALL),
    # The help page and FAQ of their académie (issue 14).
    ("exams", "academiehelp", _ALL),
    ("exams", "faqentry", _ALL),
    # The épreuves' dates, times and centres the convocations print (issue 14).
    ("exams", "epreuvesitting", _ALL),
    # To pick the gestionnaire's account in an assignment (autocomplete on users).
    ("candidates", "user", ["view"]),
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str, list[str]]]] = {
    GESTIONNAIRE: _REVIEW,
    MANAGER: _REVIEW + _CONFIGURE,
}


def _permissions(spec: list[tuple[str, str, list[str]]]) -> list[Permission]:
    query = Q(pk__in=[])
    for app_label, model, actions in spec:
        query |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    return list(Permission.objects.filter(query))


def ensure_roles() -> dict[str, Group]:
    """Create or update both groups; safe to run any number of times."""
    groups = {}
    for name, spec in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        # set, not add: a permission taken from a role (editing the national referential) is
        # taken from existing groups too.
        group.permissions.set(_permissions(spec))
        groups[name] = group
    return groups


def role_group_name(role: str) -> str:
    from .models import StaffRole

    return MANAGER if role == StaffRole.MANAGER else GESTIONNAIRE

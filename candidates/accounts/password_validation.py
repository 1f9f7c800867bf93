"""Password validators of the portal (issue 12): what Django's miss for a French audience.

``Azerty1234`` passes Django's CommonPasswordValidator (its list holds "azerty123", not every
number glued to a common word) and UserAttributeSimilarityValidator only knows the user's own
fields, not the identity of the profile. These two close both gaps; AUTH_PASSWORD_VALIDATORS
lists them after Django's own.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

import django
from django.core.exceptions import ValidationError

# Words a French candidate reaches for that are not (or not alone) in Django's English-centred list.
FRENCH_COMMON = {
    "azerty", "azertyuiop", "qsdfgh", "wxcvbn", "motdepasse", "mot-de-passe", "bonjour", "soleil",
    "doudou", "chouchou", "loulou", "marseille", "paris", "nancy", "toulouse", "nantes", "bts",
    "examen", "examens", "inscription", "candidat", "candidate", "portail", "rectorat", "academie",
    "jetaime", "coucou", "princesse", "chocolat", "football", "olympique", "france",
}  # fmt: skip
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def _common_words() -> frozenset[str]:
    path = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip()) | FRENCH_COMMON


def _fold(text: str) -> str:
    """Lower case without accents: "Éloïse" and "eloise" are one name."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class CommonWordWithDigitsValidator:
    """Refuses a common password or word wrapped in digits and symbols: "Azerty1234",
    "!Soleil2026", "motdepasse-01"."""

    def validate(self, password: str, user=None) -> None:
        core = _EDGES.sub("", _fold(password))
        if core and (core in _common_words() or len(core) < 3):
            raise ValidationError(
                "Ce mot de passe est un mot courant suivi ou précédé de chiffres : il se devine en "
                "quelques essais. Choisissez une phrase de plusieurs mots.",
                code="password_common_pattern",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne peut pas être un mot courant accompagné de chiffres."


class ProfileSimilarityValidator:
    """Refuses a password that holds the candidate's names (birth, usage, first names) or birth
    year, the first things someone who knows them would try."""

    min_name_length = 3

    def validate(self, password: str, user=None) -> None:
        profile = getattr(user, "profile", None) if user is not None and user.pk else None
        if profile is None:
            return
        folded = _fold(password)
        compact = re.sub(r"[\W_]+", "", folded)
        names = [profile.birth_name, profile.usage_name, profile.first_name_1, profile.first_name_2,
                 profile.first_name_3]  # fmt: skip
        for name in names:
            for part in re.split(r"[\W_]+", _fold(name or "")):
                if len(part) >= self.min_name_length and part in compact:
                    raise ValidationError(
                        "Ce mot de passe contient votre nom ou votre prénom : choisissez-en un qui ne "
                        "dise rien de vous.",
                        code="password_contains_name",
                    )
        birth = profile.birth_date
        if birth and (str(birth.year) in folded or birth.strftime("%d%m%y") in compact):
            raise ValidationError(
                "Ce mot de passe contient votre date de naissance : choisissez-en un qui ne dise rien de vous.",
                code="password_contains_birth_date",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne peut contenir ni vos nom et prénoms ni votre date de naissance."

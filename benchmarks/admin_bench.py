"""The gestionnaire's admin on many dossiers: generated in SQL from real rows the rush left (every
column copied from a template row, names, numbers, states and pieces varied), then the changelist,
every sidebar filter, the searches, every ordering and a change page timed over HTTP: p50/p95."""

from __future__ import annotations

import re
import statistics
import time
import urllib.parse

from client import Browser

NAMES = [
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
    "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
    "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFEVRE", "FAURE", "ANDRE",
]  # fmt: skip
FIRST_NAMES = ["Camille", "Léa", "Manon", "Chloé", "Emma", "Lucas", "Hugo", "Louis", "Nathan", "Enzo"]


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _insert_select(model, overrides: dict[str, str], from_sql: str) -> str:
    cols = _columns(model)
    exprs = [overrides.get(c, f't."{c}"') for c in cols]
    names = ", ".join(f'"{c}"' for c in cols)
    return f'INSERT INTO "{model._meta.db_table}" ({names}) SELECT {", ".join(exprs)} {from_sql}'


def generate(n: int, *, template_dossier_id: int) -> float:
    """``n`` candidates, dossiers and two pieces each, like the template; returns the seconds taken."""
    from django.db import connection

    from candidates.models import Dossier, DossierState, User
    from documents.models import Piece
    from exams.models import Specialty

    started = time.monotonic()
    template = Dossier.objects.get(pk=template_dossier_id)
    specialties = list(
        Specialty.objects.filter(dossiers__isnull=False).values_list("pk", flat=True).distinct()
    ) or [template.specialty_id]
    specialties = sorted(set(specialties) | set(Specialty.objects.values_list("pk", flat=True)[:8]))
    states = [DossierState.REGISTERED, DossierState.SUBMITTED, DossierState.IN_REVIEW, DossierState.INCOMPLETE,
              DossierState.COMPLIANT]  # fmt: skip
    names = "ARRAY[" + ",".join(f"'{x}'" for x in NAMES) + "]"
    firsts = "ARRAY[" + ",".join(f"'{x}'" for x in FIRST_NAMES) + "]"
    state_arr = "ARRAY[" + ",".join(f"'{s.value}'" for s in states) + "]"
    spec_arr = "ARRAY[" + ",".join(str(s) for s in specialties) + "]::bigint[]"
    cats = "ARRAY['distance_school','distance_apprentice','former_school','work_experience','distance_continuing']"
    g = "CAST(substring(u.email from 5 for 7) AS integer)"
    # A person: name, first name and birth date drawn from h, a bijection of g over the 5.25 million
    # combinations (30 names × 10 first names × 17,500 days), so no two generated people are one;
    # every 100th dossier takes the person of the one before it: 1 % of pairs of possible
    # duplicates, as real data has a few (issue 14's list and filter then have work to do).
    h = f"((({g}) - CASE WHEN ({g}) % 100 = 0 THEN 1 ELSE 0 END)::bigint * 7919 % 5250000)"
    birth_name = f"({names})[1 + {h} % {len(NAMES)}]"
    first_name = f"({firsts})[1 + ({h} / {len(NAMES)}) % {len(FIRST_NAMES)}]"
    birth_date = f"(DATE '1960-01-01' + ({h} / {len(NAMES) * len(FIRST_NAMES)})::integer)"
    # Two pieces each: the identity piece's state from g % 4, the diploma's from (g / 4) % 4 in
    # PIECE_STATES (deposited, accepted, invalidated, accepted); the dossier's counters match them
    # (documents.pieces.counters): a quarter have both accepted.
    accepted = f"(({g}) % 2 + (({g}) / 4) % 2)"
    with connection.cursor() as cur:
        cur.execute(
            _insert_select(
                User,
                {
                    "email": "'gen-' || lpad(g::text, 7, '0') || '@bench.example.org'",
                    "password": "'!'",
                    "last_login": "NULL",
                    "date_joined": "now() - g * interval '7 seconds'",
                },
                f"FROM {User._meta.db_table} t, generate_series(1, {n}) g WHERE t.id = {template.candidate_id}",
            )
        )
        cur.execute(
            _insert_select(
                Dossier,
                {
                    "candidate_id": "u.id",
                    "number": f"'{template.session.year}-GEN-' || lpad({g}::text, 7, '0')",
                    "birth_name": birth_name,
                    "usage_name": "''",
                    "first_name_1": first_name,
                    "state": f"({state_arr})[1 + {g} % {len(states)}]",
                    "category": f"({cats})[1 + ({g} / 7) % 5]",
                    "specialty_id": f"({spec_arr})[1 + ({g} / 3) % {len(specialties)}]",
                    "option_id": "NULL",
                    "birth_date": birth_date,
                    # candidates.duplicates.identity_key: folded case and accents.
                    "identity_key": f"lower({birth_name}) || '|' || translate(lower({first_name}), 'é', 'e') || '|' || "
                    f"{birth_date}::text",
                    "pieces_total": "2",
                    "pieces_accepted": accepted,
                    "created_at": f"now() - {g} * interval '7 seconds'",
                    "updated_at": f"now() - {g} * interval '5 seconds'",
                    "registered_at": f"now() - {g} * interval '6 seconds'",
                    "decided_by_id": "NULL",
                },
                f"FROM {User._meta.db_table} u, {Dossier._meta.db_table} t "
                f"WHERE t.id = {template.pk} AND u.email LIKE 'gen-%%@bench.example.org'",
            ).replace("%%", "%")
        )
        piece_states = "ARRAY['deposited','accepted','invalidated','accepted']"
        dg = "CAST(substring(d.number from '[0-9]+$') AS integer)"
        for code, state_of in (("identity", f"{dg} % 4"), ("access_diploma", f"({dg} / 4) % 4")):
            cur.execute(
                _insert_select(
                    Piece,
                    {
                        "dossier_id": "d.id",
                        "code": f"'{code}'",
                        "state": f"({piece_states})[1 + {state_of}]",
                        "deposited_at": "d.registered_at",
                        "reviewed_at": "NULL",
                        "reviewed_by_id": "NULL",
                        "invalidation_reason": "''",
                    },
                    f"FROM {Dossier._meta.db_table} d, "
                    f"(SELECT * FROM {Piece._meta.db_table} LIMIT 1) t WHERE d.number LIKE '%-GEN-%'",
                )
            )
        cur.execute("ANALYZE")
    return time.monotonic() - started


def _time(browser: Browser, path: str, rounds: int, cpu=None) -> dict:
    browser.get(path)  # warm
    times = []
    cpu_before = cpu() if cpu else None
    for _ in range(rounds):
        t = time.monotonic()
        browser.get(path)
        times.append((time.monotonic() - t) * 1000)
    times.sort()
    result = {
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
    }
    if cpu:
        # CPU of gunicorn and of the bench database's PostgreSQL backends per request: the figure
        # that stays comparable when the machine is shared (wall time is mostly waiting for a core).
        result["cpu_ms"] = (cpu() - cpu_before) * 1000 / rounds
    return result


def admin_urls(browser: Browser, *, search_terms: dict[str, str], change_id: int) -> dict[str, str]:
    base = "/admin/candidates/dossier/"
    page = browser.get(base).text
    urls = {"changelist": base, "page 200": base + "?p=199"}
    nav = re.search(r'id="changelist-filter"(.*?)</nav>', page, re.S)
    if nav:
        # Every choice of every filter (issue 15: "every filter"): a rare state or an empty
        # session is the worst case of a list ordered by the primary key with a LIMIT.
        seen: set[tuple] = set()
        for href in re.findall(r'href="(\?[^"]+)"', nav.group(1)):
            query = urllib.parse.parse_qsl(urllib.parse.unquote(href.replace("&amp;", "&"))[1:])
            pairs = tuple(sorted((k, v) for k, v in query if not k.startswith("_")))  # not _facets
            if not pairs or pairs in seen:
                continue
            seen.add(pairs)
            urls[f"filter {'&'.join(f'{k}={v}' for k, v in pairs)}"] = base + href.replace("&amp;", "&")
    for o in sorted(set(re.findall(r'href="\?o=(-?\d+)"', page))):
        if not o.startswith("-"):
            urls[f"order o={o}"] = f"{base}?o={o}"
    for label, term in search_terms.items():
        urls[f"search {label}"] = f"{base}?q={urllib.parse.quote(term)}"
    urls["change page"] = f"{base}{change_id}/change/"
    return urls


def measure(
    base_url: str, *, email: str, password: str, rounds: int, search_terms: dict, change_id: int, cpu=None
):
    browser = Browser(base_url)
    page = browser.get("/admin/login/?next=/admin/candidates/dossier/")
    browser.submit(page, {"username": email, "password": password})
    results = {}
    for label, path in admin_urls(browser, search_terms=search_terms, change_id=change_id).items():
        results[label] = {"path": path, **_time(browser, path, rounds, cpu)}
        cpu_ms = results[label].get("cpu_ms")
        print(
            f"   admin {label:<44} p50 {results[label]['p50_ms']:7.0f} ms  p95 {results[label]['p95_ms']:7.0f} ms"
            + (f"  CPU {cpu_ms:6.0f} ms" if cpu_ms is not None else ""),
            flush=True,
        )
    browser.close()
    return results

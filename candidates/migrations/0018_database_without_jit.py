# issue 15: PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost (100,000):
# the admin list's scope subqueries inflate the estimates of plans that run in 5–40 ms, and the
# compilation then took 0.1–1.0 s of each ("en attente depuis": 106 ms of JIT for 1 ms of work;
# "pièces complètes": 1,024 ms for 38 ms). A portal's short queries never gain from it. Set on the
# database (new connections read it, through pgbouncer too), not per connection; a role that does
# not own the database keeps PostgreSQL's default and the migration says so.

from django.db import migrations

SET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'jit stays on: only the owner of the database can turn it off (docs/performance.md)';
END
$$;
"""
RESET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;
"""


def turn_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET, params=None)  # format()'s %I is not a placeholder
        schema_editor.execute("SET jit = off")  # this connection too


def turn_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET, params=None)


class Migration(migrations.Migration):

    dependencies = [("candidates", "0017_admin_order_indexes")]

    operations = [migrations.RunPython(turn_off, turn_on)]

"""Full-text search structures and the default shared views.

- SQLite: FTS5 tables ticket_fts(subject, body, notes) and contact_fts(name, identities,
  organisation), rowid = the ticket's / contact's id, unicode61 tokenizer without diacritics,
  with prefix indexes for search as you type.
- PostgreSQL: a notes_vector column on tickets (kept out of the ORM: only the search module
  reads and writes it), GIN indexes on the ticket and contact vectors, and an index for
  organisation name prefixes.
"""

from django.db import migrations

TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5(subject, body, notes, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS contact_fts USING fts5(name, identities, organisation, {TOKENIZE})",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS ticket_fts", "DROP TABLE IF EXISTS contact_fts"]

POSTGRES_UP = [
    "ALTER TABLE tickets_ticket ADD COLUMN IF NOT EXISTS notes_vector tsvector",
    "CREATE INDEX IF NOT EXISTS ticket_search_gin ON tickets_ticket USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS ticket_notes_gin ON tickets_ticket USING gin (notes_vector)",
    "CREATE INDEX IF NOT EXISTS contact_search_gin ON customers_contact USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS organisation_name_prefix ON customers_organisation"
    " (UPPER(name::text) text_pattern_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS organisation_name_prefix",
    "DROP INDEX IF EXISTS contact_search_gin",
    "DROP INDEX IF EXISTS ticket_notes_gin",
    "DROP INDEX IF EXISTS ticket_search_gin",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS notes_vector",
]

DEFAULT_VIEWS = [
    ("Unassigned open", {"status_category": ["new", "open"], "assignee_id": "none"}, "-updated_at", 10),
    ("My open tickets", {"status_category": ["new", "open", "pending", "on_hold"], "assignee_id": "me"},
     "-updated_at", 20),
    ("Pending", {"status_category": ["pending"]}, "-updated_at", 30),
    ("Recently solved", {"status_category": ["solved"]}, "-updated_at", 40),
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def create_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)


def drop_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)


def seed_views(apps, schema_editor):
    View = apps.get_model("tickets", "View")
    for name, filters, sort, position in DEFAULT_VIEWS:
        if not View.objects.filter(owner__isnull=True, team__isnull=True, name=name).exists():
            View.objects.create(name=name, filters=filters, sort=sort, position=position)


def unseed_views(apps, schema_editor):
    View = apps.get_model("tickets", "View")
    View.objects.filter(owner__isnull=True, team__isnull=True, name__in=[v[0] for v in DEFAULT_VIEWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_builtin_statuses"), ("customers", "0001_initial")]
    operations = [
        migrations.RunPython(create_structures, drop_structures),
        migrations.RunPython(seed_views, unseed_views),
    ]

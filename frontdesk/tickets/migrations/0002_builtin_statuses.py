from django.db import migrations

BUILTINS = [
    ("new", "New", 10), ("open", "Open", 20), ("pending", "Pending", 30),
    ("on_hold", "On hold", 40), ("solved", "Solved", 50), ("closed", "Closed", 60),
]


def seed(apps, schema_editor):
    TicketStatus = apps.get_model("tickets", "TicketStatus")
    for key, label, position in BUILTINS:
        TicketStatus.objects.get_or_create(
            key=key, defaults={"label": label, "category": key, "position": position, "builtin": True}
        )
    Brand = apps.get_model("brands", "Brand")
    if not Brand.objects.filter(is_default=True).exists():
        Brand.objects.get_or_create(slug="default", defaults={"name": "Support", "is_default": True})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("brands", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

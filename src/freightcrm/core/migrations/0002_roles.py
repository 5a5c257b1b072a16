from django.db import migrations

ROLE_SLUGS = (
    "front_desk", "account_manager", "records_clerk", "credit_analyst",
    "operations", "manager", "auditor", "admin",
)


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for slug in ROLE_SLUGS:
        Group.objects.get_or_create(name=slug)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_SLUGS).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, remove_roles)]

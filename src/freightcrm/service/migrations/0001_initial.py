from django.db import migrations


class Migration(migrations.Migration):
    """The service app's root: each area's first migration depends on this one."""

    initial = True
    dependencies = [("customers", "0003_list_ordering_indexes"), ("shipments", "0001_initial")]
    operations = []

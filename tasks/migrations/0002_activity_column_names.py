from django.conf import settings
from django.db import migrations, models


def fill_names(apps, schema_editor):
    """Fill old rows from the names columns and users have today.

    The names at the time were never stored; today's are the best there is,
    and from now on every row keeps the name it was written with.
    """
    Activity = apps.get_model("tasks", "Activity")
    Column = apps.get_model("projects", "Column")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for field in ("from_column", "to_column"):
        Activity.objects.filter(**{f"{field}__isnull": False}).update(
            **{
                f"{field}_name": models.Subquery(
                    Column.objects.filter(pk=models.OuterRef(f"{field}_id")).values("name")[:1]
                )
            }
        )
    names = {
        user.pk: user.full_name or user.username
        for user in User.objects.only("pk", "full_name", "username")
    }
    batch = []
    for activity in Activity.objects.filter(kind="assigned").only("pk", "data").iterator():
        assignee = activity.data.get("assignee")
        if "assignee_name" in activity.data:
            continue
        activity.data["assignee_name"] = names.get(assignee, "") if assignee else ""
        batch.append(activity)
        if len(batch) >= 1000:
            Activity.objects.bulk_update(batch, ["data"])
            batch = []
    Activity.objects.bulk_update(batch, ["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_initial"),
        ("projects", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="from_column_name",
            field=models.CharField(blank=True, max_length=60, verbose_name="from column name"),
        ),
        migrations.AddField(
            model_name="activity",
            name="to_column_name",
            field=models.CharField(blank=True, max_length=60, verbose_name="to column name"),
        ),
        migrations.RunPython(fill_names, migrations.RunPython.noop),
    ]

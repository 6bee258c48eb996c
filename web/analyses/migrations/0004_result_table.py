"""Move each analysis's stored result out of the analyses table into its own one-to-one table.

The result is a large JSON document (hundreds of KB); kept in the listed table, SQLite walks
its overflow pages to reach the columns after it even when a list does not select it.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from analyses.migrations._move_results import copy_back, copy_results


def move_out(apps: Any, schema_editor: Any) -> None:
    copy_results(
        apps.get_model("analyses", "Analysis"), apps.get_model("analyses", "AnalysisResult")
    )


def move_back(apps: Any, schema_editor: Any) -> None:
    copy_back(apps.get_model("analyses", "Analysis"), apps.get_model("analyses", "AnalysisResult"))


class Migration(migrations.Migration):
    dependencies = [
        ("analyses", "0003_job_lease"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnalysisResult",
            fields=[
                ("data", models.JSONField()),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stored_result",
                        serialize=False,
                        to="analyses.analysis",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(move_out, move_back),
        migrations.RemoveField(model_name="analysis", name="result"),
    ]

"""Move each simulation's stored result into its own one-to-one table (as analyses 0004)."""

from typing import Any

import django.db.models.deletion
from analyses.migrations._move_results import copy_back, copy_results
from django.db import migrations, models


def move_out(apps: Any, schema_editor: Any) -> None:
    copy_results(
        apps.get_model("programmes", "Simulation"), apps.get_model("programmes", "SimulationResult")
    )


def move_back(apps: Any, schema_editor: Any) -> None:
    copy_back(
        apps.get_model("programmes", "Simulation"), apps.get_model("programmes", "SimulationResult")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analyses", "0004_result_table"),
        ("programmes", "0004_job_lease"),
    ]

    operations = [
        migrations.CreateModel(
            name="SimulationResult",
            fields=[
                ("data", models.JSONField()),
                (
                    "job",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stored_result",
                        serialize=False,
                        to="programmes.simulation",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.RunPython(move_out, move_back),
        migrations.RemoveField(model_name="simulation", name="result"),
    ]

"""Insurance-scheme code tables store the canonical meanings, as every other code table does.

Until now the role took free text, so a table could say ``"4": "Swasta"`` or ``"5": "tidak
ada"`` where the preset says ``private`` and ``none``. Each stored meaning becomes its canonical
one (``JKN PBI``, ``JKN non-PBI``, ``Jamkesda``, ``private``, ``other``, ``none``): read as the
value-label words of ``datasets.labels`` read it (copied here, as a migration must not change
when that module does), a meaning no word matches becomes ``other``, an empty one stays empty
(missing). Canonical tables (the preset's) are left as they are. Nothing to undo: canonical
meanings were valid free text.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

ROLE = "insurance_scheme"
CANONICAL = ("JKN PBI", "JKN non-PBI", "Jamkesda", "private", "other", "none")
WORDS = {
    "jkn pbi": "JKN PBI",
    "jkn-pbi": "JKN PBI",
    "pbi": "JKN PBI",
    "bpjs pbi": "JKN PBI",
    "bpjs kesehatan pbi": "JKN PBI",
    "jkn non-pbi": "JKN non-PBI",
    "jkn non pbi": "JKN non-PBI",
    "non-pbi": "JKN non-PBI",
    "non pbi": "JKN non-PBI",
    "bpjs non-pbi": "JKN non-PBI",
    "bpjs non pbi": "JKN non-PBI",
    "jamkesda": "Jamkesda",
    "private": "private",
    "swasta": "private",
    "asuransi swasta": "private",
    "other": "other",
    "lainnya": "other",
    "lain-lain": "other",
    "none": "none",
    "tidak ada": "none",
    "tidak punya": "none",
    "tidak memiliki": "none",
}


def canonical(meaning: Any) -> str:
    text = str(meaning).strip()
    if text in CANONICAL or text == "":
        return text
    return WORDS.get(text.lower(), "other")


def to_canonical(apps: Any, schema_editor: Any) -> None:
    version_model = apps.get_model("datasets", "DatasetVersion")
    for version in version_model.objects.filter(labels__has_key=ROLE).only("pk", "labels"):
        table = version.labels.get(ROLE)
        if not isinstance(table, dict):
            continue
        fixed = {code: canonical(meaning) for code, meaning in table.items()}
        if fixed != table:
            version.labels = version.labels | {ROLE: fixed}
            version.save(update_fields=["labels"])


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0003_version_lonely_psu"),
    ]

    operations = [
        migrations.RunPython(to_canonical, migrations.RunPython.noop),
    ]

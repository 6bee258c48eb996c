"""Seed the demo world: agencies, a user per role, the synthetic survey and its diagnostic.

Idempotent: a second run reuses what exists. ``--persons 0`` seeds people only (tests).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from agencies import actions
from agencies.models import AgencyKind, Membership, Role

DEMO_PASSWORD = "setara-demo-2026"
AGENCIES = [
    ("bappenas", "Bappenas (Kementerian PPN)", AgencyKind.PLANNING, ""),
    ("bappeda-jabar", "Bappeda Provinsi Jawa Barat", AgencyKind.REGIONAL, "32"),
    ("bappeda-ntt", "Bappeda Provinsi Nusa Tenggara Timur", AgencyKind.REGIONAL, "53"),
    ("kemenkes", "Kementerian Kesehatan", AgencyKind.MINISTRY, ""),
    ("kemendikdasmen", "Kementerian Pendidikan Dasar dan Menengah", AgencyKind.MINISTRY, ""),
    ("bps", "Badan Pusat Statistik", AgencyKind.STATISTICS, ""),
    ("worldbank", "World Bank Jakarta", AgencyKind.PARTNER, ""),
]
USERS = [  # username, agency, role, language
    ("admin.bappenas", "bappenas", Role.ADMIN, "id"),
    ("manajer.bappenas", "bappenas", Role.MANAGER, "id"),
    ("analis.bappenas", "bappenas", Role.ANALYST, "id"),
    ("viewer.bappenas", "bappenas", Role.VIEWER, "en"),
    ("analis.jabar", "bappeda-jabar", Role.ANALYST, "id"),
    ("viewer.ntt", "bappeda-ntt", Role.VIEWER, "id"),
    ("analis.kemenkes", "kemenkes", Role.ANALYST, "id"),
    ("viewer.kemendikdasmen", "kemendikdasmen", Role.VIEWER, "id"),
    ("manajer.bps", "bps", Role.MANAGER, "id"),
    ("partner.worldbank", "worldbank", Role.VIEWER, "en"),
]


class Command(BaseCommand):
    help = "Create (or reuse) the demo agencies, users, survey dataset and diagnostics."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--persons", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--villages", type=int, default=20_000, help="villages of the public-services demo"
        )

    def handle(self, *args: Any, persons: int, seed: int, villages: int, **options: Any) -> None:
        User = get_user_model()
        agencies = {
            slug: actions.create_agency(None, slug=slug, name=name, kind=kind, region_code=region)
            for slug, name, kind, region in AGENCIES
        }
        users = {}
        for username, slug, role, language in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = actions.create_user(
                    None, username=username, password=DEMO_PASSWORD, language=language
                )
            if not Membership.objects.filter(user=user, agency=agencies[slug]).exists():
                actions.add_member(None, agencies[slug], user, role)
            users[username] = user
        if persons:
            self._survey(
                users["analis.bappenas"], users["manajer.bappenas"], agencies, persons, seed
            )
            from django.core.management import call_command

            call_command("seed_monitoring", seed=seed, stdout=self.stdout)
        if persons and villages:
            self._services(
                users["analis.bappenas"], users["manajer.bappenas"], agencies, villages, seed
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"demo world ready: {len(agencies)} agencies, {len(users)} users "
                f"(password {DEMO_PASSWORD!r})"
            )
        )

    def _survey(
        self, analyst: Any, manager: Any, agencies: dict[str, Any], persons: int, seed: int
    ) -> None:
        from analyses import actions as analysis_actions
        from analyses.compute import available_breakdowns
        from analyses.models import Analysis, Dimension
        from datasets import actions as dataset_actions
        from datasets.models import Dataset

        from setara.demo import generate_survey

        name = "Susenas-like synthetic survey (demo)"
        dataset = Dataset.objects.filter(name=name, owner=agencies["bappenas"]).first()
        if dataset is None:
            frame = generate_survey(persons, seed=seed)
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "demo-survey.parquet"
                frame.write_parquet(path)
                upload = SimpleUploadedFile("demo-survey.parquet", path.read_bytes())
            version = dataset_actions.upload(
                analyst,
                upload,
                agency=agencies["bappenas"],
                name=name,
                description=f"{persons:,} synthetic persons in 38 provinces and 514 regencies, "
                "two-stage design. Not official statistics.",
            )
            version = dataset_actions.map_and_validate(analyst, version, version.mapping)
            dataset_actions.accept(analyst, version)
            dataset = version.dataset
            self.stdout.write(f"dataset stored: {version.n_rows:,} rows")
        version = dataset.accepted_versions().first()
        if version is None:
            return
        for dimension in (Dimension.ECONOMIC, Dimension.EDUCATION, Dimension.HEALTH):
            if Analysis.objects.filter(dataset_version=version, dimension=dimension).exists():
                continue
            analysis = analysis_actions.create(
                analyst,
                version,
                dimension=dimension,
                breakdowns=available_breakdowns(version.mapping),
                title=f"Diagnostic {dimension} (demo)",
                run_now=True,
            )
            self.stdout.write(f"diagnostic {dimension}: {analysis.status}")
            if dimension == Dimension.ECONOMIC:
                actions.share(manager, analysis, [agencies["bappeda-jabar"], agencies["worldbank"]])
        self._programmes(analyst, manager, agencies, version)

    def _programmes(
        self, analyst: Any, manager: Any, agencies: dict[str, Any], version: Any
    ) -> None:
        """Three templates as programmes, and PIP simulated on top of PKH and Sembako."""
        from programmes import actions as programme_actions
        from programmes.models import Programme, Simulation
        from programmes.specs import template_text

        made = {}
        for key, name in (
            ("pkh", "PKH (demo)"),
            ("sembako", "Sembako (demo)"),
            ("pip", "PIP (demo)"),
        ):
            programme = Programme.objects.filter(name=name, owner=agencies["bappenas"]).first()
            made[key] = (
                programme.latest()
                if programme
                else programme_actions.create(
                    analyst, agencies["bappenas"], name=name, spec=template_text(key), template=key
                )
            )
        title = "PIP on top of PKH and Sembako (demo)"
        if not Simulation.objects.filter(title=title).exists():
            sim = programme_actions.simulate(
                analyst,
                version,
                baseline=[made["pkh"], made["sembako"]],
                scenario=[made["pip"]],
                title=title,
                scenario_name="pip",
                groups="female_head = head_female\nelderly = any(age >= 60)\n"
                "disability = any(disability)\nurban = urban",
                proxies="members, urban, count(age < 15), any(disability), head_female",
                categorical="any(age < 7) or head_female",
                run_now=True,
            )
            self.stdout.write(f"simulation: {sim.status} {sim.error}")
            actions.share(manager, sim, [agencies["kemendikdasmen"], agencies["worldbank"]])

    def _services(
        self, analyst: Any, manager: Any, agencies: dict[str, Any], villages: int, seed: int
    ) -> None:
        """Facilities and villages, one access analysis and one siting scenario (run here)."""
        import io

        import numpy as np
        from services import actions as service_actions
        from services.demo import demo_places
        from services.models import AccessAnalysis, DemandSet, FacilitySet, SitingScenario

        owner = agencies["bappenas"]
        readers = [agencies["kemenkes"], agencies["kemendikdasmen"], agencies["worldbank"]]
        fac = FacilitySet.objects.filter(owner=owner, name="Puskesmas dan sekolah (demo)").first()
        dem = DemandSet.objects.filter(owner=owner, name="Desa (demo)").first()
        if fac is None or dem is None:
            demand, supply = demo_places(villages=villages, rng=np.random.default_rng(seed))
            made = []
            for kind, frame, name, file in (
                ("facilities", supply, "Puskesmas dan sekolah (demo)", "fasilitas.parquet"),
                ("villages", demand, "Desa (demo)", "desa.parquet"),
            ):
                buffer = io.BytesIO()
                frame.write_parquet(buffer)
                upload = SimpleUploadedFile(file, buffer.getvalue())
                obj = service_actions.upload_places(
                    analyst, owner, kind=kind, uploaded=upload, name=name
                )
                actions.share(manager, obj, readers)
                made.append(obj)
            fac, dem = made
        travel = self._demo_network(analyst, manager, owner, readers, fac, dem)
        title = "Puskesmas within 60 minutes by road and ferry (demo)"
        if not AccessAnalysis.objects.filter(owner=owner, title=title).exists():
            job = service_actions.create_access(
                analyst, fac, dem, title=title, threshold=60.0, facility_type="puskesmas",
                region_column="kode_wilayah", groups=["poor", "urban", "is_3t"], travel=travel,
                run_now=True,
            )  # fmt: skip
            actions.share(manager, job, readers)
            self.stdout.write(f"access analysis by road: {job.status} {job.error}")
        title = "Puskesmas within 60 minutes (demo)"
        if not AccessAnalysis.objects.filter(owner=owner, title=title).exists():
            job = service_actions.create_access(
                analyst, fac, dem, title=title, threshold=60.0, speed_kmh=30.0, circuity=1.3,
                facility_type="puskesmas", groups=["poor", "urban", "is_3t"], run_now=True,
            )  # fmt: skip
            actions.share(manager, job, readers)
            self.stdout.write(f"access analysis: {job.status} {job.error}")
        for title, options in (
            ("15 new puskesmas for the poor, 3T provinces (demo)", {"p": 15}),
            ("New puskesmas within a budget of 100,000 (demo)", {"budget": 100_000.0}),
        ):
            if SitingScenario.objects.filter(owner=owner, title=title).exists():
                continue
            scenario = service_actions.create_siting(
                analyst, fac, dem, title=title, model="mclp", minutes=60.0,
                weight_column="poor", speed_kmh=30.0, circuity=1.3, groups=["poor", "is_3t"],
                run_now=True, **options,
            )  # fmt: skip
            actions.share(manager, scenario, readers)
            self.stdout.write(f"siting scenario: {scenario.status} {scenario.error}")

    def _demo_network(
        self, analyst: Any, manager: Any, owner: Any, readers: list[Any], fac: Any, dem: Any
    ) -> Any:
        """The demo's road network with ferries in NTT and Maluku (uploaded once)."""
        import io

        from services import actions as service_actions
        from services.demo import demo_network
        from services.models import TravelModel
        from services.tasks import read_places

        name = "Jalan dan penyeberangan feri (demo)"
        travel = TravelModel.objects.filter(owner=owner, name=name).first()
        if travel is not None:
            return travel
        tables = demo_network(read_places(dem.path), read_places(fac.path))
        files = {}
        for table, frame in zip(("nodes", "edges", "ferries"), tables, strict=True):
            buffer = io.BytesIO()
            frame.write_parquet(buffer)
            files[table] = SimpleUploadedFile(f"{table}.parquet", buffer.getvalue())
        travel = service_actions.upload_travel(
            analyst, owner, kind="network", files=files, name=name
        )
        actions.share(manager, travel, readers)
        self.stdout.write(f"road network: {travel.counts}")
        return travel

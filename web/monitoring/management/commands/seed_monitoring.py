"""Seed the monitoring demo: catalogue, plan targets 2025-2029, two survey rounds, realisation.

Needs the agencies and users of ``seed_demo`` (which calls this command at its end).
Idempotent: a second run finds the plan and stops. What it makes, all owned by Bappenas and
published:

- a plan shaped like the RPJMN 2025-2029 whose targets are **illustrative** (derived from the
  synthetic baseline; ``/work/shared/data`` holds no published RPJMN figures);
- survey indicators (poverty rate P0, poverty gap P1, Gini, school participation 7-18, JKN
  coverage, unmet health need, non-employment 15-64 as an illustrative stand-in for open
  unemployment) estimated with the engine by province and regency, with SE, CI and RSE, on two
  rounds of the synthetic survey (2024 and 2025, ``setara.demo_rounds``: the bottom 40 % grow
  5 % a year, the others 2 %, so poverty falls by a known amount); both rounds are also stored
  as two accepted versions of one dataset, for the change-over-time page;
- realisation forms for the programme lab's demo programmes (PKH, Sembako, PIP) with
  budget-realisation and coverage indicators, a province and a regency agency for every
  province and regency, and quarterly submissions 2025-Q1 to Q3 for every regency: Q1 and Q2
  accepted, Q3 mixed (accepted, approved by the province, submitted, drafts, one returned
  with a comment) and a few outliers to find;
- demo logins ``analis.bandung`` (Kabupaten Bandung) and ``manajer.jabar`` (Jawa Barat).

Bulk rows (regional agencies, submissions and their rows, trail entries and values) are
written with ``bulk_create`` in one transaction with one audit event, so the seeding stays
fast; catalogue objects and targets go through ``monitoring.actions`` like a user's.
"""

from __future__ import annotations

import io
import time
from typing import Any

import numpy as np
import polars as pl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from monitoring import demo_world as seed_parts

PLAN_NAME = "RPJMN 2025–2029 (target ilustratif / illustrative targets)"


class Command(BaseCommand):
    help = "Create the monitoring demo (catalogue, targets, survey rounds, realisation)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--persons", type=int, default=100_000, help="persons per round")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-dataset", action="store_true", help="skip storing the rounds")

    def handle(self, *args: Any, persons: int, seed: int, no_dataset: bool, **options: Any) -> None:
        from agencies.models import Agency
        from django.contrib.auth import get_user_model

        from monitoring.models import Plan

        started = time.perf_counter()
        bappenas = Agency.objects.filter(slug="bappenas").first()
        analyst = get_user_model().objects.filter(username="analis.bappenas").first()
        if bappenas is None or analyst is None:
            raise CommandError("run seed_demo first: the Bappenas agency and analis.bappenas")
        if Plan.objects.filter(owner=bappenas, name=PLAN_NAME).exists():
            self.stdout.write("monitoring demo already seeded")
            return
        if persons < 10_000:
            raise CommandError(
                f"--persons must be at least 10,000 (the demo survey), not {persons:,}"
            )
        rng = np.random.default_rng(seed)
        clock = [time.perf_counter()]

        def step(name: str) -> None:
            clock.append(time.perf_counter())
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"  {name}: {clock[-1] - clock[-2]:.1f} s")

        rounds = seed_parts.survey_rounds(persons, seed)
        step("survey rounds")
        with transaction.atomic():  # all of it or, on an error, nothing
            agencies = seed_parts.regional_agencies()
            seed_parts.demo_users(agencies)
            step("agencies and users")
            indicators = seed_parts.catalogue(analyst, bappenas)
            step("catalogue")
            estimates = seed_parts.survey_values(rounds, indicators)
            step("survey estimates")
            plan = seed_parts.plan_with_targets(analyst, bappenas, PLAN_NAME, indicators, estimates)
            step("plan and targets")
            counts = seed_parts.realisation(analyst, bappenas, indicators, agencies, rng)
            step("realisation")
        if not no_dataset:
            self._dataset(analyst, bappenas, rounds)
            step("rounds stored as a dataset")
        self.stdout.write(
            self.style.SUCCESS(
                f"monitoring demo: plan {plan.name!r}, {len(indicators)} indicators, "
                f"{estimates.height:,} survey values, {counts['submissions']:,} submissions "
                f"({counts['outliers']} outliers, 1 returned) in "
                f"{time.perf_counter() - started:.1f} s"
            )
        )

    def _dataset(self, analyst: Any, bappenas: Any, rounds: dict[int, pl.DataFrame]) -> None:
        """Both rounds as versions 1 (2024) and 2 (2025) of one accepted dataset."""
        from datasets import actions as dataset_actions

        dataset = None
        for year, frame in sorted(rounds.items()):
            buffer = io.BytesIO()
            frame.write_parquet(buffer)
            upload = SimpleUploadedFile(f"rounds-{year}.parquet", buffer.getvalue())
            version = dataset_actions.upload(
                analyst,
                upload,
                agency=bappenas,
                dataset=dataset,
                name=seed_parts.ROUNDS_DATASET,
                description="Two yearly rounds of the synthetic survey (2024, 2025) with a "
                "known change: bottom 40% +5% a year, others +2%. Not official statistics.",
            )
            version = dataset_actions.map_and_validate(analyst, version, version.mapping)
            dataset_actions.accept(analyst, version)
            dataset = version.dataset
        if dataset is not None:
            dataset.published = True
            dataset.save(update_fields=["published"])

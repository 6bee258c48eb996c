"""``setara access`` and ``setara site`` (issue 11, point 5): every number the commands write
equals the library's on the same files; the JSON of ``site`` has the contract's keys; user
errors are one line with exit code 2 and leave no output file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from setara.access import (
    access_values,
    build_cost,
    read_demand,
    read_facilities,
    site,
    summarise,
    synthetic_archipelago,
    synthetic_places,
)
from setara.cli import cli, main


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("world")
    rng = np.random.default_rng(21)
    nodes, edges, ferries = synthetic_archipelago(islands=3, side=8, rng=rng)
    demand, facilities = synthetic_places(nodes, villages=120, facilities=6, candidates=12, rng=rng)
    paths = {
        name: folder / f"{name}.csv"
        for name in ("demand", "facilities", "nodes", "edges", "ferries", "matrix")
    }
    demand.write_csv(paths["demand"])
    facilities.write_csv(paths["facilities"])
    nodes.write_csv(paths["nodes"])
    edges.write_csv(paths["edges"])
    ferries.write_csv(paths["ferries"])
    pl.DataFrame(
        {
            "origin": ["V000000", "V000001"],
            "destination": ["F00000", "F00001"],
            "minutes": [12.0, 75.0],
        }
    ).write_csv(paths["matrix"])
    return paths


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_access_summary_equals_the_library(world: dict[str, Path]) -> None:
    specs = [
        "nearest",
        "coverage:30",
        "ratio:30",
        "2sfca:30",
        "e2sfca:10=1,20=0.68,30=0.22",
        "gaussian:30",
        "gravity:1.5",
    ]
    args = [
        "access",
        "--facilities",
        str(world["facilities"]),
        "--demand",
        str(world["demand"]),
        "--by",
        "urban",
        "--format",
        "json",
        "--speed-kmh",
        "40",
        "--circuity",
        "1.2",
    ]
    for spec in specs:
        args += ["--measure", spec]
    rows = json.loads(_run(args))
    demand, facilities = read_demand(world["demand"]), read_facilities(world["facilities"])
    values = access_values(
        demand, facilities, build_cost(demand, facilities, speed_kmh=40, circuity=1.2), specs
    )
    expected = summarise(demand, values, by=["urban"])
    assert [r["measure"] for r in rows] == expected["measure"].to_list()
    np.testing.assert_allclose([r["value"] for r in rows], expected["value"], rtol=1e-12)
    assert set(rows[0]) == {"measure", "urban", "value", "population", "unreachable_share"}


def test_access_per_demand_and_network_cost(world: dict[str, Path]) -> None:
    base = [
        "access",
        "--facilities",
        str(world["facilities"]),
        "--demand",
        str(world["demand"]),
        "--measure",
        "nearest",
        "--format",
        "csv",
    ]
    per = pl.read_csv(_run([*base, "--per", "demand"]).encode())
    assert per.columns == ["demand_id", "measure", "value"] and per.height == 120
    network = [*base, "--cost", f"network:{world['nodes']},{world['edges']}", "--by", "island"]
    without = pl.read_csv(_run(network).encode())
    with_ferry = pl.read_csv(_run([*network, "--ferries", str(world["ferries"])]).encode())
    # island 0 has no facility: unreachable without the ferry, reached by it from island 1
    assert without["unreachable_share"].to_list() == [1.0, 0.0, 0.0]
    assert with_ferry["unreachable_share"].to_list() == [0.0, 0.0, 0.0]
    assert with_ferry["value"][0] > 90 + 45  # at least the sailing and half the 3-hour headway
    assert with_ferry["value"].tail(2).to_list() == without["value"].tail(2).to_list()
    matrix = pl.read_csv(
        _run([*base, "--cost", f"matrix:{world['matrix']}", "--per", "demand"]).encode()
    )
    assert matrix["value"].head(2).to_list() == [12.0, 75.0]
    assert matrix["value"].is_infinite().sum() == 118


def test_site_json_contract(world: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    _run(
        [
            "site",
            "--facilities",
            str(world["facilities"]),
            "--demand",
            str(world["demand"]),
            "--model",
            "mclp",
            "--time",
            "20",
            "--p",
            "2",
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    plan = json.loads(out.read_text())
    for key in (
        "model",
        "objective",
        "bound",
        "gap",
        "sites",
        "covered_population",
        "cost",
        "status",
    ):
        assert key in plan
    assert plan["model"] == "mclp" and plan["status"] == "optimal" and len(plan["sites"]) <= 2
    demand, facilities = read_demand(world["demand"]), read_facilities(world["facilities"])
    pairs = build_cost(demand, facilities).pairs(20)
    status = facilities["status"].to_numpy()
    lib = site(
        pairs,
        demand["population"].to_numpy(),
        model="mclp",
        is_open=status != "candidate",
        candidate=status == "candidate",
        cost=facilities["cost"].to_numpy(),
        p=2,
    )
    assert plan["objective"] == pytest.approx(lib.objective)
    assert plan["sites"] == facilities["id"].gather(lib.chosen).to_list()
    assert plan["covered_population"] == pytest.approx(lib.objective)  # weights = population


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "median"], "unknown access measure 'median'"),
        (["--measure", "nearest", "--cost", "network:roads.pbf"], "roads.pbf' does not exist"),
        (["--measure", "nearest", "--by", "kabupaten"], "--by column 'kabupaten'"),
        (["--measure", "nearest", "--type", "hospital"], "no facility of type 'hospital'"),
        (["--measure", "nearest", "--ferries", "x.csv"], "--ferries apply to --cost network"),
    ],
)
def test_access_user_errors(
    world: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "access",
                "--facilities",
                str(world["facilities"]),
                "--demand",
                str(world["demand"]),
                *args,
                "--output",
                str(out),
            ]
        )
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert not out.exists()


def test_bad_facilities_file_is_one_line(
    world: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = pl.read_csv(world["facilities"]).with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(-2.0)
        .otherwise(pl.col("capacity"))
        .alias("capacity")
    )
    path = tmp_path / "bad.csv"
    bad.write_csv(path)
    with pytest.raises(SystemExit):
        main(
            [
                "site",
                "--facilities",
                str(path),
                "--demand",
                str(world["demand"]),
                "--model",
                "lscp",
                "--time",
                "30",
            ]
        )
    err = capsys.readouterr().err
    assert "'capacity' has missing or negative values: 1 in 18 rows (first at row 4)" in err

"""setara.contrast: linearized parts of estimates and the variance of their combinations."""

from __future__ import annotations

import numpy as np
import polars as pl

import setara
from setara.contrast import combination_variance, linearize
from tests.monitoring.test_change_reference import DESIGN, rounds

MEASURES = ["mean", "gini", "median", "fgt:alpha=1,line=0.6*median", "bottom40"]


def test_linearize_gives_the_estimates_and_ses_of_estimate() -> None:
    frame, _ = rounds()
    design = setara.survey_design(frame, **DESIGN)
    lins, labels, _ = linearize(frame, design, welfare="y", measures=MEASURES, by="region")
    res = setara.estimate(frame, design, welfare="y", measures=MEASURES, by="region").frame
    for lin in lins:
        rows = res.filter((pl.col("measure") == lin.measure) & (pl.col("params") == lin.params))
        assert rows["region"].to_list() == labels["region"].to_list()
        np.testing.assert_allclose(lin.estimate, rows["estimate"].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(lin.se, rows["se"].to_numpy(), rtol=1e-12)
        if lin.linear_se:  # the linearized SE is the variance of its parts
            assert lin.weighted is not None
            var = combination_variance(
                design, lin.domain, 3, lin.weighted, [lin.shared] if lin.shared else []
            )
            np.testing.assert_allclose(np.sqrt(var), lin.se, rtol=1e-10)


def test_domains_fix_the_order_and_leave_other_rows_out() -> None:
    frame, _ = rounds()
    design = setara.survey_design(frame, **DESIGN)
    wanted = pl.DataFrame({"region": ["R3", "R1", "R9"]})
    lins, labels, _ = linearize(
        frame, design, welfare="y", measures="mean", by="region", domains=wanted
    )
    assert labels["region"].to_list() == ["R3", "R1", "R9"]
    assert lins[0].n.tolist()[2] == 0
    r1 = frame.filter(pl.col("region") == "R1")
    assert lins[0].estimate[1] == (r1["y"] * r1["weight"]).sum() / r1["weight"].sum()


def test_two_shared_terms_combine_with_their_covariance() -> None:
    """Twice a relative-line measure minus itself is the measure once: the variance of the
    combination with both shared terms equals the measure's own variance."""
    frame, _ = rounds()
    design = setara.survey_design(frame, **DESIGN)
    (lin,), _, _ = linearize(frame, design, welfare="y", measures="fgt:alpha=0,line=0.6*median")
    assert lin.shared is not None and lin.weighted is not None
    b, c = lin.shared
    var = combination_variance(design, lin.domain, 1, lin.weighted, [(b, 2.0 * c), (b, -c)])
    np.testing.assert_allclose(np.sqrt(var), lin.se, rtol=1e-10)

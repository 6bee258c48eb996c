"""Products of powers of measures over the same domains, linearized by the delta method."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from setara.kernels.groups import FloatArray
from setara.measures.base import Linearized, Measure, MeasureData


@dataclass
class ProductMeasure(Measure):
    """``prod_j theta_j ** p_j`` of other measures over the same domains (delta method).

    ``parts`` pairs each measure with its data view and exponent; the influence of row ``i``
    is ``sum_j d f / d theta_j IF_ij``, the replicates multiply replicate estimates.
    """

    parts: list[tuple[Measure, MeasureData, float]] = field(default_factory=list)

    def linearize(self, data: MeasureData) -> Linearized:
        lins = [(m.linearize(d), p) for m, d, p in self.parts]
        inside = data.domain >= 0
        d = np.where(inside, data.domain, 0)
        est = np.ones(data.n_domains)
        for lin, p in lins:
            est = est * lin.estimate**p
        influence = np.zeros(data.y.size)
        for j, (lin, p) in enumerate(lins):
            grad = p * lin.estimate ** (p - 1.0)
            for i, (other, q) in enumerate(lins):
                if i != j:
                    grad = grad * other.estimate**q
            influence += np.where(inside, grad[d] * lin.influence, 0.0)
        return Linearized(estimate=est, influence=influence)

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        out = np.ones((data.n_domains, weights.shape[1]))
        for m, d, p in self.parts:
            out = out * m.replicate(d, weights) ** p
        return out

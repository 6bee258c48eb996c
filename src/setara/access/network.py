"""Travel times on a road network with ferry crossings.

A network is a nodes table (``id, lat, lon``) and an edges table (``from, to`` and either
``minutes`` or ``length_km`` with ``speed_kmh``; two-way unless ``oneway`` is true). Ferry
crossings (``from, to, minutes`` and ``departures_per_day``, or ``headway_minutes``) become
edges costing the sailing time plus the expected wait: a traveller arriving at random before
regular departures ``h`` minutes apart waits ``h / 2`` on average (Osuna and Newell 1972;
``h = service_hours x 60 / departures``, ``service_hours`` 12 unless given).

Demand points and facilities are snapped to their nearest node, within ``max_snap_km``: a
point farther than that from every road stays off the network (unreachable), so a village on
an island without roads never snaps to another island's road. The walk to the node is added
at ``connector_kmh``. Islands linked by no road and no ferry are unreachable (``inf``), not
near.

Nearest times come from one multi-source Dijkstra (a super-source linked to every facility's
node by its connector time; scipy.sparse.csgraph); pairs within a cut-off from Dijkstra runs
bounded by the cut-off, a block of facilities at a time.

References
----------
Osuna, E. E. and Newell, G. F. (1972). Control strategies for an idealized public
transportation system. Transportation Science 6(1), 52-72.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from setara.access.travel import EARTH_RADIUS_KM, Pairs, _chord_to_km, _subset, _unit, rows_of
from setara.errors import ColumnNotFoundError, InputValueError
from setara.kernels.groups import FloatArray, IntArray

__all__ = ["NetworkCost", "RoadNetwork"]

BLOCK = 256  # facilities per bounded Dijkstra run: memory BLOCK x nodes x 8 bytes


def _minutes(edges: pl.DataFrame, what: str) -> FloatArray:
    if "minutes" in edges.columns:
        minutes = edges["minutes"].cast(pl.Float64, strict=False).to_numpy().astype(float)
    elif {"length_km", "speed_kmh"} <= set(edges.columns):
        length = edges["length_km"].cast(pl.Float64, strict=False).to_numpy().astype(float)
        speed = edges["speed_kmh"].cast(pl.Float64, strict=False).to_numpy().astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            minutes = np.where(speed > 0, length / speed * 60.0, np.nan)
    else:
        raise ColumnNotFoundError(f"{what} need 'minutes', or 'length_km' and 'speed_kmh'")
    bad = ~np.isfinite(minutes) | (minutes < 0)
    if bad.any():
        raise InputValueError(
            f"{what} have {int(bad.sum()):,} missing, negative or zero-speed times in "
            f"{minutes.size:,} rows (first at row {int(np.flatnonzero(bad)[0]) + 1:,})"
        )
    return minutes


class RoadNetwork:
    """A road network (and ferries) as a sparse graph of minutes.

    Examples
    --------
    >>> nodes = pl.DataFrame({"id": ["a", "b", "c"], "lat": [0.0, 0.0, 0.0],
    ...                       "lon": [0.0, 0.1, 0.2]})
    >>> edges = pl.DataFrame({"from": ["a", "b"], "to": ["b", "c"], "minutes": [5.0, 7.0]})
    >>> RoadNetwork(nodes, edges).graph.nnz
    4
    """

    def __init__(
        self,
        nodes: pl.DataFrame,
        edges: pl.DataFrame,
        ferries: pl.DataFrame | None = None,
        *,
        service_hours: float = 12.0,
    ) -> None:
        for table, columns, what in (
            (nodes, ("id", "lat", "lon"), "nodes"),
            (edges, ("from", "to"), "edges"),
        ):
            missing = [c for c in columns if c not in table.columns]
            if missing:
                raise ColumnNotFoundError(f"{what} need columns {', '.join(missing)}")
        ids = nodes["id"].cast(pl.String)
        if ids.is_duplicated().any():
            raise InputValueError(
                f"nodes column 'id' has {int(ids.is_duplicated().sum()):,} duplicate values"
            )
        self.n_nodes = nodes.height
        lat = nodes["lat"].cast(pl.Float64).to_numpy().astype(float)
        lon = nodes["lon"].cast(pl.Float64).to_numpy().astype(float)
        self.xyz = _unit(lat, lon)
        tail = [rows_of(edges["from"], ids, what="edges column 'from'", where="the nodes table")]
        head = [rows_of(edges["to"], ids, what="edges column 'to'", where="the nodes table")]
        cost = [_minutes(edges, "edges")]
        oneway = (
            edges["oneway"].cast(pl.Boolean).fill_null(False).to_numpy()
            if "oneway" in edges.columns
            else np.zeros(edges.height, dtype=bool)
        )
        tail.append(head[0][~oneway])
        head.append(tail[0][~oneway])
        cost.append(cost[0][~oneway])
        if ferries is not None:
            f_from = rows_of(
                ferries["from"], ids, what="ferries column 'from'", where="the nodes table"
            )
            f_to = rows_of(ferries["to"], ids, what="ferries column 'to'", where="the nodes table")
            wait = self.ferry_wait(ferries, service_hours=service_hours)
            sail = _minutes(ferries, "ferries") + wait
            tail += [f_from, f_to]
            head += [f_to, f_from]
            cost += [sail, sail]
        t, h, c = np.concatenate(tail), np.concatenate(head), np.concatenate(cost)
        # parallel edges keep their fastest; a zero-minute edge stays an edge (+ tiny epsilon)
        order = np.lexsort((c, h, t))
        first = np.r_[True, (np.diff(t[order]) != 0) | (np.diff(h[order]) != 0)]
        t, h, c = t[order][first], h[order][first], c[order][first]
        self.graph = csr_matrix(
            coo_matrix((np.maximum(c, 1e-9), (t, h)), shape=(self.n_nodes + 1, self.n_nodes + 1))
        )
        self._tree = cKDTree(self.xyz)

    @staticmethod
    def ferry_wait(ferries: pl.DataFrame, *, service_hours: float = 12.0) -> FloatArray:
        """Expected wait for each crossing: half the headway between departures."""
        if "headway_minutes" in ferries.columns:
            headway = ferries["headway_minutes"].cast(pl.Float64).to_numpy().astype(float)
        elif "departures_per_day" in ferries.columns:
            per_day = ferries["departures_per_day"].cast(pl.Float64).to_numpy().astype(float)
            with np.errstate(divide="ignore"):
                headway = np.where(per_day > 0, service_hours * 60.0 / per_day, np.nan)
        else:
            raise ColumnNotFoundError("ferries need 'departures_per_day' or 'headway_minutes'")
        bad = ~np.isfinite(headway) | (headway < 0)
        if bad.any():
            raise InputValueError(
                f"ferries have {int(bad.sum()):,} missing or non-positive frequencies in "
                f"{headway.size:,} rows (first at row {int(np.flatnonzero(bad)[0]) + 1:,})"
            )
        return np.asarray(headway / 2.0)

    def snap(
        self, lat: FloatArray, lon: FloatArray, *, max_snap_km: float
    ) -> tuple[IntArray, FloatArray]:
        """Nearest node of each point and the distance in km (``-1`` and ``inf`` beyond
        ``max_snap_km``)."""
        chord_limit = 2 * np.sin(max_snap_km / (2 * EARTH_RADIUS_KM)) * (1 + 1e-12)
        chord, node = self._tree.query(
            _unit(lat, lon), k=1, distance_upper_bound=chord_limit, workers=-1
        )
        far = ~np.isfinite(chord)
        km = np.where(far, np.inf, _chord_to_km(np.where(far, 0.0, chord)))
        return np.where(far, -1, node).astype(np.int64), km


class NetworkCost:
    """Travel times on a :class:`RoadNetwork` between demand points and facilities."""

    def __init__(
        self,
        network: RoadNetwork,
        demand_lat: FloatArray,
        demand_lon: FloatArray,
        facility_lat: FloatArray,
        facility_lon: FloatArray,
        *,
        max_snap_km: float = 2.0,
        connector_kmh: float = 5.0,
    ) -> None:
        if not connector_kmh > 0 or not max_snap_km >= 0:
            raise InputValueError("connector_kmh must be positive and max_snap_km 0 or more")
        self.network = network
        self.d_node, d_km = network.snap(demand_lat, demand_lon, max_snap_km=max_snap_km)
        self.f_node, f_km = network.snap(facility_lat, facility_lon, max_snap_km=max_snap_km)
        self.d_walk = d_km / connector_kmh * 60.0
        self.f_walk = f_km / connector_kmh * 60.0
        self.n_demand, self.n_facilities = self.d_node.size, self.f_node.size

    def unsnapped(self) -> tuple[int, int]:
        """How many demand points and facilities are farther than ``max_snap_km`` from a road."""
        return int((self.d_node < 0).sum()), int((self.f_node < 0).sum())

    def nearest(self, facilities: IntArray | None = None) -> FloatArray:
        rows = _subset(facilities, self.n_facilities)
        rows = rows[self.f_node[rows] >= 0]
        out = np.full(self.n_demand, np.inf)
        if rows.size == 0:
            return out
        n = self.network.n_nodes
        source = np.full(rows.size, n)
        link = coo_matrix(
            (np.maximum(self.f_walk[rows], 1e-9), (source, self.f_node[rows])),
            shape=self.network.graph.shape,
        )
        # demand -> facility along one-way streets: search backwards from the facilities
        graph = _with_source_links(self.network.graph.T.tocsr(), link)
        dist = np.asarray(dijkstra(graph, directed=True, indices=[n]))[0]
        on = self.d_node >= 0
        out[on] = dist[self.d_node[on]] + self.d_walk[on]
        return out

    def pairs(self, max_minutes: float, facilities: IntArray | None = None) -> Pairs:
        rows = _subset(facilities, self.n_facilities)
        rows = rows[self.f_node[rows] >= 0]
        on = np.flatnonzero(self.d_node >= 0)
        parts: list[tuple[IntArray, IntArray, FloatArray]] = []
        # the graph is read backwards (facility -> demand) unless it is symmetric: reverse it
        reverse = self.network.graph.T.tocsr()
        for start in range(0, rows.size, BLOCK):  # blocks of facilities bound memory
            block = rows[start : start + BLOCK]
            dist = dijkstra(reverse, directed=True, indices=self.f_node[block], limit=max_minutes)
            total = dist[:, self.d_node[on]] + self.f_walk[block][:, None] + self.d_walk[on]
            f, d = np.nonzero(total <= max_minutes)
            parts.append((on[d], block[f], total[f, d]))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return Pairs(empty, empty, np.zeros(0), self.n_demand, self.n_facilities)
        d_all, f_all, m_all = (np.concatenate(x) for x in zip(*parts, strict=True))
        return Pairs(d_all, f_all, m_all, self.n_demand, self.n_facilities)


def _with_source_links(graph: csr_matrix, link: coo_matrix) -> csr_matrix:
    """The graph with the super-source's links; the source row is empty before, so the sum
    is the union (duplicate links to one node keep the shortest)."""
    order = np.lexsort((link.data, link.col))
    keep = np.r_[True, np.diff(link.col[order]) != 0]
    rows, cols = link.row[order][keep], link.col[order][keep]
    data = link.data[order][keep]
    dedup = csr_matrix((data, (rows, cols)), shape=graph.shape)
    return csr_matrix(graph + dedup)

"""Write geodesic_reference.csv: WGS 84 ellipsoidal distances between Indonesian places and a
few classic pairs, by GeographicLib 2.0 (Karney 2013, accurate to 15 nm), the reference
against which the haversine distance of setara.access.travel is tested.

Run: PYTHONPATH=<dir with geographiclib 2.0> python tests/data/access/geodesic_reference.py
(geographiclib is needed only here, not by Setara or its tests).
"""

import csv
from pathlib import Path

from geographiclib.geodesic import Geodesic

PAIRS = [
    ("JFK", 40.6, -73.8, "LHR", 51.6, -0.5),  # GeographicLib's documented example
    ("Jakarta", -6.2088, 106.8456, "Surabaya", -7.2575, 112.7521),
    ("Jakarta", -6.2088, 106.8456, "Jayapura", -2.5337, 140.7181),
    ("Medan", 3.5952, 98.6722, "Makassar", -5.1477, 119.4327),
    ("Banda Aceh", 5.5483, 95.3238, "Merauke", -8.4932, 140.4018),
    ("Kupang", -10.1772, 123.6070, "Ende", -8.8432, 121.6623),
    ("Ternate", 0.7893, 127.3815, "Tidore", 0.6833, 127.4000),
    ("Equator 0E", 0.0, 0.0, "Equator 1E", 0.0, 1.0),
    ("Pole", 89.0, 0.0, "Pole opposite", 89.0, 180.0),
    ("Denpasar", -8.6705, 115.2126, "Mataram", -8.5833, 116.1167),
]

out = Path(__file__).with_name("geodesic_reference.csv")
with out.open("w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["from", "lat1", "lon1", "to", "lat2", "lon2", "geodesic_km"])
    for a, lat1, lon1, b, lat2, lon2 in PAIRS:
        s12 = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]
        writer.writerow([a, lat1, lon1, b, lat2, lon2, f"{s12 / 1000:.6f}"])

"""Which police force area contains a point, from the ONS boundary GeoJSON.

The importer places councils by Schedule 1 to the Police Act 1996; the tests check that
transcription against a second source, ONS's boundaries. Ray casting over the
generalised boundaries is exact enough for that and needs no GIS library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Ring = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class Area:
    """A named area: polygons of (lon, lat) rings, outer ring first, then holes."""

    code: str
    polygons: tuple[tuple[Ring, ...], ...]
    bbox: tuple[float, float, float, float]

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point lies inside the area (and outside its holes)."""
        west, south, east, north = self.bbox
        if not (west <= lon <= east and south <= lat <= north):
            return False
        return any(
            _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, h) for h in rings[1:])
            for rings in self.polygons
        )


def load_areas(path: Path, code_property: str) -> list[Area]:
    """Read Polygon and MultiPolygon features from a GeoJSON file in lon/lat."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return [
        _area(feature["properties"][code_property], feature["geometry"])
        for feature in collection["features"]
    ]


def area_for_point(areas: Sequence[Area], lon: float, lat: float) -> str | None:
    """Return the code of the area containing the point, else of the nearest one.

    Coastal authorities (Castle Point, Torbay, the Isles of Scilly) have centroids at sea
    in the generalised boundaries; the nearest boundary vertex places them correctly.
    """
    inside = next((area.code for area in areas if area.contains(lon, lat)), None)
    if inside is not None or not areas:
        return inside
    scale = math.cos(math.radians(lat))
    return min(areas, key=lambda area: _distance2(area, lon, lat, scale)).code


def _distance2(area: Area, lon: float, lat: float, scale: float) -> float:
    """Return the squared distance from the point to the area's nearest vertex."""
    return min(
        ((x - lon) * scale) ** 2 + (y - lat) ** 2
        for polygon in area.polygons
        for x, y in polygon[0]
    )


def _area(code: str, geometry: dict[str, Any]) -> Area:
    """Build an Area from a GeoJSON geometry."""
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        coordinates = [coordinates]
    polygons = tuple(
        tuple(tuple((float(x), float(y)) for x, y, *_ in ring) for ring in polygon)
        for polygon in coordinates
    )
    xs = [x for polygon in polygons for x, _ in polygon[0]]
    ys = [y for polygon in polygons for _, y in polygon[0]]
    return Area(code, polygons, (min(xs), min(ys), max(xs), max(ys)))


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    """Return whether (x, y) is inside the ring, by counting edge crossings."""
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
        x1, y1 = x2, y2
    return inside

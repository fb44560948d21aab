"""A small map drawn on the server as inline SVG: no tiles, no script, no request elsewhere.

Why not a web map: an HTML page of the API must work offline, under a Content-Security-Policy
that forbids scripts, and in any browser or screen reader. Geometries (GeoJSON, lon/lat) are
projected to Web Mercator (spherical, as map tiles are, so shapes look as on any web map) and
scaled into the view box; the y axis is flipped because SVG counts downwards. Points are
circles, lines polylines and polygons paths (holes cut out by the even-odd rule); each
feature is one group with a ``<title>`` (its id, which browsers show as a tooltip and screen
readers read) and, when given, a link to its page. A collection's extent is a dashed outline.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH = 640
#: The tallest map; a wide, flat area gets a lower one (down to MIN_HEIGHT) instead of blank.
HEIGHT = 400
MIN_HEIGHT = 200
PADDING = 16
#: Smallest span drawn, in Web Mercator metres, so a single point gets a neighbourhood.
MIN_SPAN = 1_000.0
EARTH_RADIUS = 6_378_137.0
MAX_LATITUDE = 85.051_128_78

Point = tuple[float, float]


@dataclass(frozen=True)
class MapFeature:
    """What the map draws for one feature: its id, GeoJSON geometry and page (if any)."""

    id: str
    geometry: dict[str, Any] | None
    href: str | None = None


def mercator(lon: float, lat: float) -> Point:
    """Spherical Web Mercator (EPSG:3857) metres of a lon/lat position."""
    lat = max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))
    x = EARTH_RADIUS * math.radians(lon)
    y = EARTH_RADIUS * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


class Frame:
    """Maps Web Mercator metres into the view box, keeping the aspect ratio, centred."""

    def __init__(self, points: Sequence[Point]) -> None:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        span_x = max(max(xs) - min(xs), MIN_SPAN)
        span_y = max(max(ys) - min(ys), MIN_SPAN)
        self.centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
        self.scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y)
        self.height = max(MIN_HEIGHT, min(HEIGHT, round(span_y * self.scale + 2 * PADDING)))

    def place(self, lon: float, lat: float) -> Point:
        x, y = mercator(lon, lat)
        return (
            WIDTH / 2 + (x - self.centre[0]) * self.scale,
            self.height / 2 - (y - self.centre[1]) * self.scale,
        )

    def metres_per_unit(self, lat: float) -> float:
        """Ground metres per view-box unit at ``lat`` (Mercator stretches by 1/cos(lat))."""
        return math.cos(math.radians(lat)) / self.scale


def svg_map(
    features: Sequence[MapFeature],
    extent: tuple[float, float, float, float] | None = None,
    *,
    label: str,
) -> str:
    """The map as an ``<svg>`` element, or ``""`` when there is nothing to draw."""
    corners = [] if extent is None else [(extent[0], extent[1]), (extent[2], extent[3])]
    positions = [*corners, *(p for f in features for p in _positions(f.geometry))]
    if not positions:
        return ""
    frame = Frame([mercator(lon, lat) for lon, lat in positions])
    parts = [
        f'<svg class="map" viewBox="0 0 {WIDTH} {frame.height}" role="img" '
        'aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="map-title">{escape(label)}</title>',
        f'<rect class="sea" x="0" y="0" width="{WIDTH}" height="{frame.height}"/>',
    ]
    if extent is not None:
        parts.append(_extent(frame, extent))
    parts += [_feature(frame, feature) for feature in features if feature.geometry]
    latitude = sum(lat for _, lat in positions) / len(positions)
    parts.append(_scale_bar(frame, latitude))
    parts.append("</svg>")
    return "".join(parts)


def _extent(frame: Frame, extent: tuple[float, float, float, float]) -> str:
    left, bottom = frame.place(extent[0], extent[1])
    right, top = frame.place(extent[2], extent[3])
    return (
        f'<rect class="extent" x="{_n(left)}" y="{_n(top)}" width="{_n(right - left)}" '
        f'height="{_n(bottom - top)}"><title>Extent of the collection</title></rect>'
    )


def _feature(frame: Frame, feature: MapFeature) -> str:
    shapes = "".join(_shapes(frame, feature.geometry or {}))
    body = f"<title>{escape(feature.id)}</title>{shapes}"
    if feature.href is not None:
        body = f'<a href="{escape(feature.href)}">{body}</a>'
    return f'<g class="feature">{body}</g>'


def _shapes(frame: Frame, geometry: dict[str, Any]) -> Iterator[str]:
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates") or []
    if kind == "GeometryCollection":
        for member in geometry.get("geometries", []):
            yield from _shapes(frame, member)
    elif kind == "Point":
        yield _circle(frame, coordinates)
    elif kind == "MultiPoint":
        yield from (_circle(frame, point) for point in coordinates)
    elif kind == "LineString":
        yield _polyline(frame, coordinates)
    elif kind == "MultiLineString":
        yield from (_polyline(frame, line) for line in coordinates)
    elif kind == "Polygon":
        yield _polygon(frame, coordinates)
    elif kind == "MultiPolygon":
        yield from (_polygon(frame, polygon) for polygon in coordinates)


def _circle(frame: Frame, position: Sequence[float]) -> str:
    x, y = frame.place(position[0], position[1])
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6"/>'


def _polyline(frame: Frame, line: Sequence[Sequence[float]]) -> str:
    return f'<polyline points="{_points(frame, line)}"/>'


def _polygon(frame: Frame, rings: Sequence[Sequence[Sequence[float]]]) -> str:
    path = " ".join(f"M{_points(frame, ring)}Z" for ring in rings)
    return f'<path fill-rule="evenodd" d="{path}"/>'


def _points(frame: Frame, positions: Sequence[Sequence[float]]) -> str:
    return " ".join(
        f"{_n(x)},{_n(y)}" for x, y in (frame.place(p[0], p[1]) for p in positions)
    )


def _scale_bar(frame: Frame, latitude: float) -> str:
    """A bar of a round length (1, 2 or 5 x 10^n metres) about a fifth of the map wide."""
    target = frame.metres_per_unit(latitude) * WIDTH / 5
    magnitude = 10 ** math.floor(math.log10(target))
    metres = max(step * magnitude for step in (1, 2, 5) if step * magnitude <= target)
    length = metres / frame.metres_per_unit(latitude)
    text = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    x, y = PADDING, frame.height - PADDING / 2
    return (
        f'<g class="scale"><line x1="{x}" y1="{y}" x2="{_n(x + length)}" y2="{y}"/>'
        f'<text x="{x}" y="{y - 6}">{text}</text></g>'
    )


def _positions(geometry: dict[str, Any] | None) -> Iterator[Point]:
    if not geometry:
        return
    if geometry.get("type") == "GeometryCollection":
        for member in geometry.get("geometries", []):
            yield from _positions(member)
        return
    yield from _flatten(geometry.get("coordinates"))


def _flatten(coordinates: Any) -> Iterator[Point]:
    if not coordinates:
        return
    if isinstance(coordinates[0], int | float):
        yield float(coordinates[0]), float(coordinates[1])
        return
    for part in coordinates:
        yield from _flatten(part)


def _n(value: float) -> str:
    return f"{value:.1f}"

"""The street map behind the 民意地图: real street boundaries from configuration, or a schematic.

The project has no street boundary data. Unless an operator configures a GeoJSON file of the real
boundaries (`street_geojson_file`), the map is a schematic: the district outline divided among the 11
street offices, each place going to the nearest office (a Voronoi partition). Its `source` says so, and
whatever shows the map must show that text.

Each feature of `StreetMap.geojson` carries `code` and `name`, the name exactly as in streets.csv, so that
a chart can match regions by name.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zhengshu.errors import InvalidInput

if TYPE_CHECKING:
    from zhengshu.settings import Settings

Point = tuple[float, float]
Ring = list[Point]
# A GeoJSON polygon: the outer ring, then any holes; rings closed (first point repeated last).
Polygon = list[Ring]

SCHEMATIC_SOURCE = "示意图：按街道办事处位置划分，非真实边界"
DECIMALS = 5
# Where a boundary of Longgang can lie, generously: outside it the file is for another place or in
# projected metres rather than longitude and latitude.
REGION = (113.7, 22.4, 114.7, 23.0)
CODE_KEYS = ("code", "adcode", "street_code", "CODE", "ADCODE")
NAME_KEYS = ("name", "NAME", "Name", "street_name", "街道", "街道名称")


@dataclass(frozen=True)
class _Edges:
    """Every edge of a street's rings as arrays, for the even-odd point-in-polygon test."""

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    box: tuple[float, float, float, float]

    @classmethod
    def of(cls, polygons: Sequence[Polygon]) -> _Edges:
        starts: list[Point] = []
        ends: list[Point] = []
        for ring in (ring for polygon in polygons for ring in polygon):
            starts.extend(ring[:-1])
            ends.extend(ring[1:])
        a, b = np.array(starts, dtype=float), np.array(ends, dtype=float)
        points = np.vstack([a, b])
        box = (*points.min(axis=0).tolist(), *points.max(axis=0).tolist())
        return cls(a[:, 0], a[:, 1], b[:, 0], b[:, 1], box)

    def contains(self, x: float, y: float) -> bool:
        min_x, min_y, max_x, max_y = self.box
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        # Count crossings of a ray going right from the point; holes and parts fall out of the parity.
        straddles = (self.y1 > y) != (self.y2 > y)
        y1, y2 = self.y1[straddles], self.y2[straddles]
        x1, x2 = self.x1[straddles], self.x2[straddles]
        crossing_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        return int(np.count_nonzero(x < crossing_x)) % 2 == 1


@dataclass(frozen=True, eq=False)
class StreetMap:
    geojson: dict[str, Any]
    schematic: bool
    centres: dict[str, Point]
    bounds: tuple[float, float, float, float]
    source: str
    _edges: dict[str, _Edges] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        edges = {
            f["properties"]["code"]: _Edges.of(_polygons_of(f["geometry"])) for f in self.geojson["features"]
        }
        object.__setattr__(self, "_edges", edges)


def locate(street_map: StreetMap, lon: float, lat: float) -> str | None:
    """The code of the street whose area holds the point, or None outside every street."""
    for code, edges in street_map._edges.items():
        if edges.contains(lon, lat):
            return code
    return None


def random_point(street_map: StreetMap, code: str, rng: random.Random) -> Point:
    """A point drawn uniformly from the street's area, for generated demo and benchmark data."""
    edges = street_map._edges[code]
    min_x, min_y, max_x, max_y = edges.box
    # Even a thin street fills a fair share of its box; this many misses means a broken shape.
    for _ in range(100_000):
        lon, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if edges.contains(lon, lat):
            return lon, lat
    raise ValueError(f"no point found inside street {code}")


def street_map(settings: Settings) -> StreetMap:
    """The configured real boundaries when there are any, else the schematic."""
    if settings.street_geojson_file is None:
        return schematic_map()
    return _configured_map(settings.street_geojson_file.resolve())


@cache
def _configured_map(path: Path) -> StreetMap:
    # Read once per process: a changed file takes effect on restart, like every other setting.
    return load_street_map(path)


# Reference data -------------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("zhengshu.org").joinpath("data", name).read_text(encoding="utf-8")


@cache
def streets() -> dict[str, str]:
    """Street code → name, in the order of streets.csv."""
    return {row["code"]: row["name"] for row in csv.DictReader(_data_text("streets.csv").splitlines())}


@cache
def street_offices() -> dict[str, Point]:
    """Street code → approximate (lon, lat) of its office; the seeds of the schematic."""
    lines = [line for line in _data_text("street_offices.csv").splitlines() if not line.startswith("#")]
    return {row["code"]: (float(row["longitude"]), float(row["latitude"])) for row in csv.DictReader(lines)}


@cache
def district_outline() -> Ring:
    """The project's simplified convex outline of the district, closed and counter-clockwise."""
    feature = json.loads(_data_text("district_outline.json"))
    return [(float(lon), float(lat)) for lon, lat in feature["geometry"]["coordinates"][0]]


# The schematic -------------------------------------------------------------------------------------


@cache
def schematic_map() -> StreetMap:
    """Each place of the district outline goes to the street whose office is nearest."""
    offices = street_offices()
    codes = list(streets())
    cells = _nearest_site_cells([offices[code] for code in codes], district_outline())
    polygons = {code: [[_closed(_rounded(cell))]] for code, cell in zip(codes, cells, strict=True)}
    return _build(polygons, schematic=True, source=SCHEMATIC_SOURCE)


def _nearest_site_cells(sites: Sequence[Point], outline: Ring) -> list[Ring]:
    """The outline cut into the Voronoi cells of the sites, as open rings.

    A cell is the outline intersected with one half-plane per other site, so no cell is unbounded and
    nothing needs clipping afterwards. This is exact because the outline is convex. Distances are
    measured with longitude shrunk by cos(latitude), so that a degree east counts as far as it is.
    """
    scale = math.cos(math.radians(sum(lat for _, lat in sites) / len(sites)))
    projected = [(lon * scale, lat) for lon, lat in sites]
    cells = []
    for i, (xi, yi) in enumerate(projected):
        cell = [(lon * scale, lat) for lon, lat in outline[:-1]]
        for j, (xj, yj) in enumerate(projected):
            if j != i:
                # Nearer to site i than to site j: 2(pj - pi)·p <= |pj|² - |pi|².
                cell = _clip(cell, 2 * (xj - xi), 2 * (yj - yi), xj * xj + yj * yj - xi * xi - yi * yi)
        cells.append([(x / scale, y) for x, y in cell])
    return cells


def _clip(polygon: Ring, a: float, b: float, c: float) -> Ring:
    """Sutherland–Hodgman against one half-plane: the part of a convex polygon where a·x + b·y <= c."""
    kept: Ring = []
    for k, current in enumerate(polygon):
        previous = polygon[k - 1]
        inside_now = a * current[0] + b * current[1] <= c
        inside_before = a * previous[0] + b * previous[1] <= c
        if inside_now != inside_before:
            kept.append(_crossing(previous, current, a, b, c))
        if inside_now:
            kept.append(current)
    return kept


def _crossing(p: Point, q: Point, a: float, b: float, c: float) -> Point:
    t = (c - a * p[0] - b * p[1]) / (a * (q[0] - p[0]) + b * (q[1] - p[1]))
    return p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])


def _rounded(ring: Ring) -> Ring:
    points = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in ring]
    return [p for k, p in enumerate(points) if p != points[k - 1]]


def _closed(ring: Ring) -> Ring:
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


# Building a map -------------------------------------------------------------------------------------


def _build(polygons: dict[str, list[Polygon]], *, schematic: bool, source: str) -> StreetMap:
    names = streets()
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": _geometry(polygons[code]),
        }
        for code, name in names.items()
    ]
    centres = {code: _centre(polygons[code]) for code in names}
    points = [p for parts in polygons.values() for polygon in parts for ring in polygon for p in ring]
    bounds = (
        min(x for x, _ in points),
        min(y for _, y in points),
        max(x for x, _ in points),
        max(y for _, y in points),
    )
    return StreetMap(
        geojson={"type": "FeatureCollection", "features": features},
        schematic=schematic,
        centres=centres,
        bounds=bounds,
        source=source,
    )


def _geometry(polygons: list[Polygon]) -> dict[str, Any]:
    def coordinates(polygon: Polygon) -> list[list[list[float]]]:
        return [[[x, y] for x, y in ring] for ring in polygon]

    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": coordinates(polygons[0])}
    return {"type": "MultiPolygon", "coordinates": [coordinates(p) for p in polygons]}


def _polygons_of(geometry: dict[str, Any]) -> list[Polygon]:
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon] for polygon in parts]


def _ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed area (positive counter-clockwise) and centroid of a closed ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area / 2, cx / (3 * area), cy / (3 * area)


def _centre(polygons: list[Polygon]) -> Point:
    """The area-weighted centroid of the street's largest polygon, holes taken out."""

    def area(polygon: Polygon) -> float:
        return abs(_ring_area_centroid(polygon[0])[0]) - sum(
            abs(_ring_area_centroid(h)[0]) for h in polygon[1:]
        )

    largest = max(polygons, key=area)
    total = sx = sy = 0.0
    for k, ring in enumerate(largest):
        ring_area, x, y = _ring_area_centroid(ring)
        weight = abs(ring_area) if k == 0 else -abs(ring_area)
        total += weight
        sx += weight * x
        sy += weight * y
    if total <= 0:
        return round(largest[0][0][0], DECIMALS), round(largest[0][0][1], DECIMALS)
    return round(sx / total, DECIMALS), round(sy / total, DECIMALS)


# Loading real boundaries ----------------------------------------------------------------------------


def load_street_map(path: Path) -> StreetMap:
    """Real street boundaries from a GeoJSON FeatureCollection of Polygon or MultiPolygon features.

    A feature names its street by code (code, adcode, street_code) or name (name, street_name, 街道…;
    "平湖" and "龙岗区平湖街道" both do). Several features of one street become one MultiPolygon.
    """
    label = f"街道边界文件 {path.name}"
    features = _features(_read_json(path, label), label)
    polygons: dict[str, list[Polygon]] = {}
    for number, feature in enumerate(features, 1):
        code = _match_street(feature, f"{label} 第 {number} 个要素")
        where = f"{label} 第 {number} 个要素（{streets()[code]}）"
        polygons.setdefault(code, []).extend(_valid_polygons(feature.get("geometry"), where))
    missing = [name for code, name in streets().items() if code not in polygons]
    if missing:
        raise InvalidInput(f"{label} 缺少这些街道的边界：{'、'.join(missing)}")
    return _build(polygons, schematic=False, source=f"边界数据：{path.name}")


def _read_json(path: Path, label: str) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InvalidInput(f"无法读取{label}：{error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{label} 不是 UTF-8 编码的文本") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{label} 不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）") from error


def _features(document: Any, label: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput(f"{label} 应为 GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInput(f"{label} 没有任何要素（features）")
    if not all(isinstance(f, dict) and f.get("type") == "Feature" for f in features):
        raise InvalidInput(f"{label} 的 features 里有不是 GeoJSON Feature 的内容")
    return features


def _street_name(value: str) -> str:
    name = value.strip()
    for prefix in ("广东省", "深圳市", "龙岗区"):
        name = name.removeprefix(prefix)
    name = name.removesuffix("办事处")
    return name if name.endswith("街道") else f"{name}街道"


def _match_street(feature: dict[str, Any], where: str) -> str:
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInput(f"{where} 的 properties 不是对象")
    raw_code = next((properties[k] for k in CODE_KEYS if properties.get(k) not in (None, "")), None)
    raw_name = next((properties[k] for k in NAME_KEYS if isinstance(properties.get(k), str)), None)
    by_code = by_name = None
    if raw_code is not None:
        code = str(raw_code).strip()
        # Statistics codes of a street are 9 digits; some datasets pad them to 12 with 000.
        code = code[:9] if len(code) == 12 and code.endswith("000") else code
        by_code = code if code in streets() else None
    if raw_name is not None:
        name = _street_name(raw_name)
        by_name = next((code for code, known in streets().items() if known == name), None)
    if by_code and by_name and by_code != by_name:
        raise InvalidInput(
            f"{where}的编码 {raw_code} 是{streets()[by_code]}，名称“{raw_name}”却是{streets()[by_name]}"
        )
    matched = by_code or by_name
    if matched is None:
        shown = "，".join(f"{k}={properties[k]}" for k in (*CODE_KEYS, *NAME_KEYS) if k in properties)
        raise InvalidInput(f"{where}（{shown or '没有编码或名称属性'}）对应不到龙岗区的任何街道")
    return matched


def _valid_polygons(geometry: Any, where: str) -> list[Polygon]:
    if not isinstance(geometry, dict):
        raise InvalidInput(f"{where}没有几何图形")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise InvalidInput(f"{where}的几何类型是 {kind}，只接受 Polygon 或 MultiPolygon")
    coordinates = geometry.get("coordinates")
    parts = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(parts, list) or not parts:
        raise InvalidInput(f"{where}的坐标（coordinates）为空或格式不对")
    return [_valid_polygon(part, where) for part in parts]


def _valid_polygon(rings: Any, where: str) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise InvalidInput(f"{where}的多边形没有边界环")
    return [_valid_ring(ring, where) for ring in rings]


def _valid_ring(ring: Any, where: str) -> Ring:
    if not isinstance(ring, list):
        raise InvalidInput(f"{where}的边界环格式不对")
    points = _closed([_valid_point(position, where) for position in ring]) if ring else []
    if len(set(points)) < 3:
        raise InvalidInput(f"{where}有一个边界环不足 3 个不同的点")
    return points


def _valid_point(position: Any, where: str) -> Point:
    if not (isinstance(position, list) and len(position) >= 2 and all(map(_is_number, position[:2]))):
        raise InvalidInput(f"{where}的坐标 {json.dumps(position)[:40]} 不是 [经度, 纬度] 两个数")
    lon, lat = float(position[0]), float(position[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"{where}的坐标 [{lon}, {lat}] 超出经纬度范围（经度 -180～180，纬度 -90～90）")
    min_lon, min_lat, max_lon, max_lat = REGION
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise InvalidInput(f"{where}的坐标 [{lon}, {lat}] 不在龙岗区附近；文件应使用 WGS84 经纬度")
    return lon, lat


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

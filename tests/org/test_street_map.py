"""The street map: the schematic partition, real boundaries from a GeoJSON file, locating points."""

from __future__ import annotations

import copy
import csv
import json
import random
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from zhengshu.errors import InvalidInput
from zhengshu.org.street_map import (
    district_outline,
    load_street_map,
    locate,
    random_point,
    schematic_map,
    street_map,
    street_offices,
)
from zhengshu.settings import Settings

STREETS = {
    row["code"]: row["name"]
    for row in csv.DictReader(
        resources.files("zhengshu.org")
        .joinpath("data", "streets.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
}


def _in_ring(ring: list[list[float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _in_feature(feature: dict[str, Any], x: float, y: float) -> bool:
    """An independent even-odd test on the GeoJSON itself, to check the module's own."""
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return any(
        _in_ring(polygon[0], x, y) and not any(_in_ring(hole, x, y) for hole in polygon[1:])
        for polygon in polygons
    )


def _grid(bounds: tuple[float, float, float, float], steps: int) -> list[tuple[float, float]]:
    min_x, min_y, max_x, max_y = bounds
    # Off the round numbers, so that no sample sits exactly on a rounded vertex or edge.
    return [
        (min_x + (max_x - min_x) * (i + 0.37) / steps, min_y + (max_y - min_y) * (j + 0.61) / steps)
        for i in range(steps)
        for j in range(steps)
    ]


def _write(tmp_path: Path, document: Any, name: str = "streets.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _square(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def _grid_streets() -> dict[str, Any]:
    """A made-up map: each street a square of 0.02° in a row of squares over Longgang's latitudes."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [_square(114.0 + 0.03 * k, 22.6, 0.02)]},
        }
        for k, (code, name) in enumerate(STREETS.items())
    ]
    return {"type": "FeatureCollection", "features": features}


# The schematic ------------------------------------------------------------------------------------


def test_schematic_has_one_feature_per_street_named_as_in_streets_csv() -> None:
    the_map = schematic_map()
    features = the_map.geojson["features"]
    assert the_map.geojson["type"] == "FeatureCollection"
    assert [(f["properties"]["code"], f["properties"]["name"]) for f in features] == list(STREETS.items())
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    assert the_map.schematic is True
    assert "示意" in the_map.source and "非真实边界" in the_map.source
    assert set(the_map.centres) == set(STREETS)


def test_schematic_rings_are_closed_and_rounded_to_five_decimals() -> None:
    for feature in schematic_map().geojson["features"]:
        (ring,) = feature["geometry"]["coordinates"]
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert all(round(value, 5) == value for point in ring for value in point)


def test_every_street_office_lies_in_its_own_cell() -> None:
    the_map = schematic_map()
    offices = street_offices()
    assert set(offices) == set(STREETS)
    for code, (lon, lat) in offices.items():
        assert locate(the_map, lon, lat) == code
        assert _in_feature(
            next(f for f in the_map.geojson["features"] if f["properties"]["code"] == code), lon, lat
        )


def test_outline_is_convex_and_counter_clockwise() -> None:
    ring = district_outline()
    assert ring[0] == ring[-1]
    corners = ring[:-1]
    for k, (x, y) in enumerate(corners):
        (px, py), (nx, ny) = corners[k - 1], corners[(k + 1) % len(corners)]
        assert (x - px) * (ny - y) - (y - py) * (nx - x) > 0, "each corner turns left"


def test_cells_do_not_overlap_and_cover_the_outline() -> None:
    the_map = schematic_map()
    features = the_map.geojson["features"]
    outline = [list(p) for p in district_outline()]
    inside_outline = 0
    for x, y in _grid(the_map.bounds, 80):
        holders = [f["properties"]["code"] for f in features if _in_feature(f, x, y)]
        if _in_ring(outline, x, y):
            inside_outline += 1
            assert len(holders) == 1, (x, y, holders)
            assert locate(the_map, x, y) == holders[0]
        else:
            assert holders == [] and locate(the_map, x, y) is None
    assert inside_outline > 3000


def test_each_cell_is_nearer_its_own_office_than_any_other() -> None:
    the_map = schematic_map()
    offices = street_offices()
    for x, y in _grid(the_map.bounds, 40):
        code = locate(the_map, x, y)
        if code is None:
            continue
        # Longitude shrunk by cos(22.68°), as the schematic measures.
        distances = {c: ((lon - x) * 0.9227) ** 2 + (lat - y) ** 2 for c, (lon, lat) in offices.items()}
        assert min(distances, key=distances.__getitem__) == code


def test_centres_lie_inside_their_cells_and_bounds_hold_every_point() -> None:
    the_map = schematic_map()
    for code, (lon, lat) in the_map.centres.items():
        assert locate(the_map, lon, lat) == code
    min_x, min_y, max_x, max_y = the_map.bounds
    for feature in the_map.geojson["features"]:
        for x, y in feature["geometry"]["coordinates"][0]:
            assert min_x <= x <= max_x and min_y <= y <= max_y
    assert (min_x, min_y, max_x, max_y) == (
        min(p[0] for p in district_outline()),
        min(p[1] for p in district_outline()),
        max(p[0] for p in district_outline()),
        max(p[1] for p in district_outline()),
    )


def test_schematic_is_computed_once_and_the_same_every_time() -> None:
    assert schematic_map() is schematic_map()
    assert schematic_map.__wrapped__().geojson == schematic_map().geojson


# Real boundaries from a file ----------------------------------------------------------------------


def test_loads_real_boundaries_with_short_names_and_multipolygons(tmp_path: Path) -> None:
    document = copy.deepcopy(schematic_map().geojson)
    for feature in document["features"]:
        code = feature["properties"].pop("code")
        feature["properties"] = {"NAME": feature["properties"]["name"].removesuffix("街道"), "id": code}
    pinghu = document["features"][0]["geometry"]
    pinghu.update(type="MultiPolygon", coordinates=[pinghu["coordinates"]])
    document["features"][1]["properties"] = {"adcode": "440307006000"}  # 坪地 by a 12-digit code alone

    loaded = load_street_map(_write(tmp_path, document))

    assert loaded.schematic is False
    assert loaded.source == "边界数据：streets.geojson"
    assert [(f["properties"]["code"], f["properties"]["name"]) for f in loaded.geojson["features"]] == list(
        STREETS.items()
    )
    assert loaded.geojson["features"][0]["geometry"]["type"] == "Polygon"
    assert loaded.centres == schematic_map().centres
    assert loaded.bounds == schematic_map().bounds
    for code, (lon, lat) in street_offices().items():
        assert locate(loaded, lon, lat) == code


def test_streets_in_several_features_holes_and_islands(tmp_path: Path) -> None:
    document = _grid_streets()
    pinghu = document["features"][0]
    # 平湖: a square with a square hole, an island in the hole, and a second feature far off.
    pinghu["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": [
            [_square(114.0, 22.6, 0.02), _square(114.005, 22.605, 0.01)],
            [_square(114.008, 22.608, 0.004)],
        ],
    }
    document["features"].append(
        {
            "type": "Feature",
            "properties": {"street_name": "深圳市龙岗区平湖街道办事处"},
            "geometry": {"type": "Polygon", "coordinates": [_square(114.0, 22.7, 0.005)]},
        }
    )

    loaded = load_street_map(_write(tmp_path, document))

    geometry = loaded.geojson["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 3
    assert locate(loaded, 114.002, 22.602) == "440307003"
    assert locate(loaded, 114.006, 22.606) is None  # in the hole
    assert locate(loaded, 114.010, 22.610) == "440307003"  # on the island
    assert locate(loaded, 114.0025, 22.7025) == "440307003"
    assert locate(loaded, 114.035, 22.61) == "440307006"
    assert locate(loaded, 114.025, 22.61) is None  # between squares
    # The largest part is the holed square: its centroid is the square's, as the hole is centred.
    assert loaded.centres["440307003"] == (114.01, 22.61)
    assert loaded.centres["440307006"] == (114.04, 22.61)


def test_centroid_takes_the_hole_out(tmp_path: Path) -> None:
    document = _grid_streets()
    # A hole in the east half pulls the centroid west: outer area 4, hole area 1 centred at x+1.5.
    document["features"][0]["geometry"]["coordinates"] = [
        _square(114.0, 22.6, 0.02),
        _square(114.01, 22.605, 0.01),
    ]
    loaded = load_street_map(_write(tmp_path, document))
    lon, lat = loaded.centres["440307003"]
    assert lon == pytest.approx((114.01 * 4 - 114.015 * 1) / 3, abs=1e-5)
    assert lat == pytest.approx(22.61, abs=1e-5)


def _broken(tmp_path: Path, change: Any) -> str:
    document = _grid_streets()
    change(document)
    with pytest.raises(InvalidInput) as raised:
        load_street_map(_write(tmp_path, document))
    return raised.value.message


def test_refuses_a_file_that_is_not_json_or_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "streets.geojson"
    path.write_text("{'type': 'FeatureCollection'", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"街道边界文件 streets.geojson 不是有效的 JSON（第 1 行"):
        load_street_map(path)
    with pytest.raises(InvalidInput, match="无法读取街道边界文件 missing.geojson"):
        load_street_map(tmp_path / "missing.geojson")
    path.write_bytes("平湖".encode("gbk"))
    with pytest.raises(InvalidInput, match="不是 UTF-8 编码的文本"):
        load_street_map(path)


def test_refuses_what_is_not_a_feature_collection(tmp_path: Path) -> None:
    feature = _grid_streets()["features"][0]
    with pytest.raises(InvalidInput, match="应为 GeoJSON FeatureCollection"):
        load_street_map(_write(tmp_path, feature))
    with pytest.raises(InvalidInput, match="没有任何要素"):
        load_street_map(_write(tmp_path, {"type": "FeatureCollection", "features": []}))


def test_names_the_missing_streets(tmp_path: Path) -> None:
    def drop_two(document: Any) -> None:
        del document["features"][2:4]

    assert (
        _broken(tmp_path, drop_two) == "街道边界文件 streets.geojson 缺少这些街道的边界：南湾街道、坂田街道"
    )


def test_refuses_a_feature_of_no_longgang_street(tmp_path: Path) -> None:
    def add_guangming(document: Any) -> None:
        document["features"].append(
            {
                "type": "Feature",
                "properties": {"name": "光明街道"},
                "geometry": {"type": "Polygon", "coordinates": [_square(114.5, 22.6, 0.01)]},
            }
        )

    assert _broken(tmp_path, add_guangming) == (
        "街道边界文件 streets.geojson 第 12 个要素（name=光明街道）对应不到龙岗区的任何街道"
    )

    def no_properties(document: Any) -> None:
        document["features"][0]["properties"] = None

    assert "没有编码或名称属性" in _broken(tmp_path, no_properties)


def test_refuses_a_code_and_name_that_disagree(tmp_path: Path) -> None:
    def disagree(document: Any) -> None:
        document["features"][0]["properties"]["name"] = "坂田"

    assert "编码 440307003 是平湖街道，名称“坂田”却是坂田街道" in _broken(tmp_path, disagree)


def test_refuses_geometry_that_is_not_a_polygon(tmp_path: Path) -> None:
    def point(document: Any) -> None:
        document["features"][4]["geometry"] = {"type": "Point", "coordinates": [114.1, 22.6]}

    assert _broken(tmp_path, point) == (
        "街道边界文件 streets.geojson 第 5 个要素（布吉街道）的几何类型是 Point，"
        "只接受 Polygon 或 MultiPolygon"
    )

    def none(document: Any) -> None:
        document["features"][4]["geometry"] = None

    assert _broken(tmp_path, none).endswith("第 5 个要素（布吉街道）没有几何图形")


def test_refuses_coordinates_that_are_not_longitude_and_latitude(tmp_path: Path) -> None:
    def set_point(value: Any) -> Any:
        def change(document: Any) -> None:
            document["features"][0]["geometry"]["coordinates"][0][1] = value

        return change

    assert _broken(tmp_path, set_point([200, 22.6])).endswith(
        "第 1 个要素（平湖街道）的坐标 [200.0, 22.6] 超出经纬度范围（经度 -180～180，纬度 -90～90）"
    )
    assert "不在龙岗区附近；文件应使用 WGS84 经纬度" in _broken(tmp_path, set_point([121.47, 31.23]))
    assert "不是 [经度, 纬度] 两个数" in _broken(tmp_path, set_point(["114.0", "22.6"]))
    assert "不是 [经度, 纬度] 两个数" in _broken(tmp_path, set_point([114.0]))

    def two_points(document: Any) -> None:
        document["features"][0]["geometry"]["coordinates"] = [[[114.0, 22.6], [114.01, 22.6]]]

    assert "不足 3 个不同的点" in _broken(tmp_path, two_points)


def test_an_unclosed_ring_is_closed(tmp_path: Path) -> None:
    document = _grid_streets()
    document["features"][0]["geometry"]["coordinates"][0].pop()
    loaded = load_street_map(_write(tmp_path, document))
    ring = loaded.geojson["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5


# Choosing the map ---------------------------------------------------------------------------------


def test_street_map_is_the_configured_file_or_the_schematic(tmp_path: Path) -> None:
    assert street_map(Settings(dev=True)) is schematic_map()
    path = _write(tmp_path, _grid_streets())
    configured = street_map(Settings(dev=True, street_geojson_file=path))
    assert configured.schematic is False and configured.source == "边界数据：streets.geojson"
    assert street_map(Settings(dev=True, street_geojson_file=path)) is configured


def test_a_broken_configured_file_is_refused_every_time(tmp_path: Path) -> None:
    settings = Settings(dev=True, street_geojson_file=_write(tmp_path, {"type": "Feature"}, "broken.geojson"))
    for _ in range(2):
        with pytest.raises(InvalidInput, match="broken.geojson 应为 GeoJSON FeatureCollection"):
            street_map(settings)


# Random points --------------------------------------------------------------------------------------


def test_random_points_land_in_their_street_and_spread_over_it() -> None:
    the_map = schematic_map()
    rng = random.Random(7)
    for code in STREETS:
        points = [random_point(the_map, code, rng) for _ in range(400)]
        assert all(locate(the_map, lon, lat) == code for lon, lat in points)
        # Uniform over a convex cell: the mean of the draws is near the cell's centroid.
        mean_lon = sum(p[0] for p in points) / len(points)
        mean_lat = sum(p[1] for p in points) / len(points)
        assert abs(mean_lon - the_map.centres[code][0]) < 0.006
        assert abs(mean_lat - the_map.centres[code][1]) < 0.006


def test_random_points_repeat_with_the_seed() -> None:
    the_map = schematic_map()
    first = [random_point(the_map, "440307016", random.Random(1)) for _ in range(3)]
    second = [random_point(the_map, "440307016", random.Random(1)) for _ in range(3)]
    assert first == second

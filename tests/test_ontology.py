"""The ontology data files: ontology/kg.ttl, ontology/shapes.ttl and ontology/queries/*.rq."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHARED, shared_path
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
KG_TTL = ONTOLOGY / "kg.ttl"
CORE_MD = SHARED / "ONTOLOGY-CORE.md"   # read through shared_path: a failure when absent

KG = Namespace("http://example.org/kg/ontology#")

# Classes that describe where facts come from rather than things in the world.
NON_ENTITY_CLASSES = {"Document", "Sentence", "Evidence", "Observation", "Unit"}

# Terms the code uses beyond ONTOLOGY-CORE (agreed with the lead).
EXTRA_CLASSES = {"Evidence", "Unit"}
EXTRA_PROPERTIES = {
    "evidence", "sentence", "inDocument", "text", "charStart", "charEnd", "rule", "confidence",
    "role", "reportedOn", "sourceFile", "contentHash", "photographer", "qualifier", "valueText",
    "subject", "indicator", "value", "unit", "period", "periodStart", "periodEnd",
    "indicatorConcept", "comparison", "baselineStart", "baselineEnd",
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(KG_TTL)


def local(term) -> str:
    return str(term).removeprefix(str(KG))


def declared(g: Graph, kind) -> set[str]:
    return {local(s) for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(str(KG))}


def classes(g: Graph) -> set[str]:
    return declared(g, OWL.Class)


def properties(g: Graph) -> set[str]:
    return declared(g, OWL.ObjectProperty) | declared(g, OWL.DatatypeProperty)


def members(g: Graph, node) -> set[str]:
    """A class IRI, or the members of an owl:unionOf class expression, as local names."""
    union = g.value(node, OWL.unionOf)
    if union is None:
        return {local(node)}
    return {local(m) for m in g.items(union)}


# --------------------------------------------------------------------------- ONTOLOGY-CORE.md


def core_tables() -> dict[str, list[list[str]]]:
    """The markdown tables of ONTOLOGY-CORE.md keyed by the header of their first column."""
    shared_path(CORE_MD.name)
    tables: dict[str, list[list[str]]] = {}
    rows: list[list[str]] = []
    for line in CORE_MD.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            header, body = rows[0], rows[2:]
            tables[header[0]] = body
            rows = []
    return tables


def core_names() -> tuple[set[str], set[str]]:
    """(classes, properties) named as `kg:X` in the tables of ONTOLOGY-CORE.md; case tells them apart."""
    found = set()
    for body in core_tables().values():
        for row in body:
            for cell in row:
                found |= set(re.findall(r"`kg:(\w+)`", cell))
    return {n for n in found if n[0].isupper()}, {n for n in found if n[0].islower()}


def core_units() -> list[str]:
    shared_path(CORE_MD.name)
    text = CORE_MD.read_text(encoding="utf-8")
    para = text[text.index("Unit codes"):].split("\n\n")[0]
    return re.findall(r"`(\w+)`", para)


def core_observation_properties() -> set[str]:
    shared_path(CORE_MD.name)
    text = CORE_MD.read_text(encoding="utf-8")
    section = text[text.index("## Observations"):].split("\n## ")[0]
    return {n for n in re.findall(r"`kg:(\w+)`", section) if n[0].islower()}


def core_signatures() -> list[tuple[str, set[str], set[str]]]:
    """(property, domain classes, range classes) from the table of properties between entities."""
    out = []
    for row in core_tables()["property"]:
        name = re.search(r"kg:(\w+)", row[0]).group(1)
        domain, rng = row[1].split("->")
        # "Person -> Organization (with the role ...)": drop the remark
        split = lambda side: {w for w in re.split(r"\s*/\s*|\s+or\s+", re.sub(r"\(.*", "", side).strip()) if w}
        out.append((name, split(domain), split(rng)))
    return out


# --------------------------------------------------------------------------- kg.ttl


def test_ontology_header(onto):
    header = URIRef("http://example.org/kg/ontology")
    assert (header, RDF.type, OWL.Ontology) in onto
    assert onto.value(header, OWL.versionInfo) is not None
    assert {l.language for l in onto.objects(header, RDFS.label)} >= {"zh", "en"}
    assert {l.language for l in onto.objects(header, RDFS.comment)} >= {"zh", "en"}


def test_core_classes_declared(onto):
    wanted, _ = core_names()
    assert wanted, "no class found in the tables of ONTOLOGY-CORE.md"
    assert wanted - classes(onto) == set()


def test_core_properties_declared(onto):
    _, wanted = core_names()
    wanted |= core_observation_properties()
    assert len(wanted) >= 12
    assert wanted - properties(onto) == set()


def test_extra_terms_declared(onto):
    assert EXTRA_CLASSES - classes(onto) == set()
    assert EXTRA_PROPERTIES - properties(onto) == set()


def test_core_units_are_unit_individuals(onto):
    codes = core_units()
    assert "CNY" in codes and "percentage_point" in codes
    missing = [c for c in codes if (KG[c], RDF.type, KG.Unit) not in onto]
    assert missing == []
    unlabelled = [c for c in codes if {l.language for l in onto.objects(KG[c], RDFS.label)} < {"zh", "en"}]
    assert unlabelled == []


@pytest.mark.parametrize("name, domain, rng", core_signatures() if CORE_MD.exists() else
                         [pytest.param(None, None, None, id="ONTOLOGY-CORE.md absent")])
def test_core_domains_and_ranges(onto, name, domain, rng):
    shared_path(CORE_MD.name)
    prop = KG[name]
    assert members(onto, onto.value(prop, RDFS.domain)) == domain
    assert members(onto, onto.value(prop, RDFS.range)) == rng


@pytest.mark.parametrize("prop, domain, rng", [
    ("evidence", "Observation", "Evidence"),
    ("sentence", "Evidence", "Sentence"),
    ("inDocument", "Sentence", "Document"),
    ("text", "Sentence", "langString"),
    ("charStart", "Sentence", "integer"),
    ("charEnd", "Sentence", "integer"),
    ("rule", "Evidence", "string"),
    ("confidence", "Evidence", "decimal"),
    ("role", "Evidence", "langString"),
    ("reportedOn", "Evidence", "date"),
    ("sourceFile", "Document", "string"),
    ("contentHash", "Document", "string"),
    ("photographer", "Document", "string"),
    ("subject", "Observation", "Entity"),
    ("indicator", "Observation", "langString"),
    ("value", "Observation", "decimal"),
    ("unit", "Observation", "Unit"),
    ("period", "Observation", "langString"),
    ("periodStart", "Observation", "date"),
    ("periodEnd", "Observation", "date"),
    ("qualifier", "Observation", "langString"),
    ("valueText", "Observation", "langString"),
    ("indicatorConcept", "Observation", "Concept"),
    ("comparison", "Observation", "Concept"),
    ("baselineStart", "Observation", "date"),
    ("baselineEnd", "Observation", "date"),
])
def test_extra_domains_and_ranges(onto, prop, domain, rng):
    assert local(onto.value(KG[prop], RDFS.domain)) == domain
    assert str(onto.value(KG[prop], RDFS.range)).rpartition("#")[2] == rng


def test_every_class_is_an_entity_or_provenance(onto):
    entity_classes = set(onto.transitive_subjects(RDFS.subClassOf, KG.Entity))
    stray = {c for c in classes(onto) if KG[c] not in entity_classes} - NON_ENTITY_CLASSES
    assert stray == set()
    assert not NON_ENTITY_CLASSES & {local(c) for c in entity_classes}


@pytest.mark.parametrize("child, parent", [
    ("Country", "Place"), ("Province", "Place"), ("City", "Place"), ("County", "Place"),
    ("Town", "Place"), ("Region", "Place"),
    ("Company", "Organization"), ("GovernmentBody", "Organization"), ("Association", "Organization"),
    ("Zone", "Entity"), ("Facility", "Entity"), ("Route", "Entity"), ("Platform", "Entity"),
    ("Policy", "Entity"), ("Person", "Entity"), ("Brand", "Entity"), ("Industry", "Entity"), ("Event", "Entity"),
])
def test_subclass_tree(onto, child, parent):
    assert (KG[child], RDFS.subClassOf, KG[parent]) in onto


@pytest.mark.parametrize("term, mapped", [
    ("Place", "https://schema.org/Place"),
    ("Organization", "https://schema.org/Organization"),
    ("Person", "https://schema.org/Person"),
    ("Document", "https://schema.org/NewsArticle"),
    ("Document", "http://www.w3.org/ns/prov#Entity"),
    ("Evidence", "http://www.w3.org/ns/prov#Entity"),
    ("Evidence", str(RDF.Statement)),
])
def test_class_mappings(onto, term, mapped):
    assert (KG[term], RDFS.subClassOf, URIRef(mapped)) in onto


@pytest.mark.parametrize("term, mapped", [
    ("locatedIn", "https://schema.org/containedInPlace"),
    ("affiliatedWith", "https://schema.org/affiliation"),
    ("inDocument", "http://purl.org/dc/terms/isPartOf"),
])
def test_property_mappings(onto, term, mapped):
    assert (KG[term], RDFS.subPropertyOf, URIRef(mapped)) in onto


def test_labels_and_comments_in_both_languages(onto):
    terms = classes(onto) | properties(onto)
    lacking = []
    for t in sorted(terms):
        for pred in (RDFS.label, RDFS.comment):
            langs = {l.language for l in onto.objects(KG[t], pred)}
            if not {"zh", "en"} <= langs:
                lacking.append((t, pred.fragment, sorted(filter(None, langs))))
    assert lacking == []


def test_one_label_per_language(onto):
    doubled = []
    for s in set(onto.subjects(RDFS.label, None)):
        langs = [l.language for l in onto.objects(s, RDFS.label)]
        if len(langs) != len(set(langs)):
            doubled.append(s)
    assert doubled == []


def test_every_kg_term_used_in_ontology_files_is_declared(onto):
    """shapes.ttl and the named queries may only use terms kg.ttl declares."""
    known = {local(s) for s in onto.subjects() if str(s).startswith(str(KG))}
    used = set()
    for path in [ONTOLOGY / "shapes.ttl", *sorted((ONTOLOGY / "queries").glob("*.rq"))]:
        if path.exists():
            used |= set(re.findall(r"\bkg:(\w+)", path.read_text(encoding="utf-8")))
    assert used - known == set()


# --------------------------------------------------------------------------- a small hand-made graph

PREFIXES = """
@prefix kg:      <http://example.org/kg/ontology#> .
@prefix e:       <http://example.org/kg/id/entity/> .
@prefix d:       <http://example.org/kg/id/doc/> .
@prefix s:       <http://example.org/kg/id/sentence/> .
@prefix ev:      <http://example.org/kg/id/evidence/> .
@prefix o:       <http://example.org/kg/id/obs/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

# Two invented articles; one sentence each per fact; every shape has something to check.
GOOD = PREFIXES + """
d:rail a kg:Document ;
    dcterms:title "义新欧班列开行量创新高"@zh ;
    dcterms:date "2025-06-18"^^xsd:date ;
    dcterms:creator "楼晓东" ;
    dcterms:publisher "新华社" ;
    dcterms:source "https://news.example.com/rail.html" ;
    kg:sourceFile "examples/railway_express.html" ;
    kg:contentHash "0f343b0931126a20f133d67c2b018a3b5e5d7c1d8a2b3c4d5e6f708192a3b4c5" .
d:page a kg:Document ;
    kg:sourceFile "examples/newspaper_page.txt" ;
    kg:photographer "吴晓峰" .

s:rail-1 a kg:Sentence ; kg:inDocument d:rail ; kg:charStart 0 ; kg:charEnd 38 ;
    kg:text "一列义新欧班列从义乌西站驶出，将经阿拉山口口岸出境，开往西班牙马德里。" .
s:rail-2 a kg:Sentence ; kg:inDocument d:rail ; kg:charStart 38 ; kg:charEnd 70 ;
    kg:text "今年1—5月，义乌共开行义新欧班列1012列，同比增长14.6%。" .
s:page-1 a kg:Sentence ; kg:inDocument d:page ; kg:charStart 0 ; kg:charEnd 30 ;
    kg:text "义乌市恒远供应链有限公司总经理陈立峰说，今年的订单主要发往中东。" .

e:zhejiang a kg:Province ; rdfs:label "浙江省"@zh ; skos:altLabel "浙江"@zh ; kg:mentionedIn d:page .
e:yiwu a kg:City ; rdfs:label "义乌"@zh ; skos:altLabel "义乌市"@zh ;
    kg:locatedIn e:zhejiang ; kg:exportsTo e:middle_east ;
    kg:mentionedIn d:rail , d:page .
e:spain a kg:Country ; rdfs:label "西班牙"@zh ; owl:sameAs <http://www.wikidata.org/entity/Q29> ;
    kg:mentionedIn d:rail .
e:madrid a kg:City ; rdfs:label "马德里"@zh ; kg:locatedIn e:spain ; kg:mentionedIn d:rail .
e:middle_east a kg:Region ; rdfs:label "中东"@zh ; kg:mentionedIn d:page .
e:yiwu_west a kg:Facility ; rdfs:label "义乌西站"@zh ; kg:locatedIn e:yiwu ; kg:mentionedIn d:rail .
e:alashankou a kg:Facility ; rdfs:label "阿拉山口口岸"@zh ; kg:mentionedIn d:rail .
e:ningbo_port a kg:Facility ; rdfs:label "宁波舟山港"@zh ; kg:mentionedIn d:page .
e:yixinou a kg:Route ; rdfs:label "义新欧"@zh ;
    kg:departsFrom e:yiwu_west ; kg:destination e:madrid ; kg:via e:alashankou ;
    kg:operatedBy e:landport ; kg:mentionedIn d:rail .
e:corridor a kg:Route ; rdfs:label "义甬舟开放大通道"@zh ; kg:connects e:ningbo_port ; kg:mentionedIn d:page .
e:ftz a kg:Zone ; rdfs:label "中国(浙江)自由贸易试验区"@zh ; kg:locatedIn e:zhejiang ; kg:mentionedIn d:page .
e:jinyi a kg:Zone ; rdfs:label "金义片区"@zh ; kg:partOf e:ftz ; kg:mentionedIn d:page .
e:landport a kg:Company ; rdfs:label "义乌陆港班列运营有限公司"@zh ; kg:mentionedIn d:rail .
e:hengyuan a kg:Company ; rdfs:label "义乌市恒远供应链有限公司"@zh ; kg:exportsTo e:middle_east ; kg:mentionedIn d:page .
e:chen a kg:Person ; rdfs:label "陈立峰"@zh ; kg:affiliatedWith e:hengyuan ; kg:mentionedIn d:page .
e:state_council a kg:GovernmentBody ; rdfs:label "国务院"@zh ; kg:mentionedIn d:page .
e:reform a kg:Policy ; rdfs:label "《浙江省义乌市深化国际贸易综合改革总体方案》"@zh ;
    kg:issuedBy e:state_council ; kg:appliesTo e:yiwu ; kg:mentionedIn d:page .
e:chinagoods a kg:Platform ; rdfs:label "Chinagoods"@en ; kg:operatedBy e:hengyuan ; kg:mentionedIn d:page .

ev:1 a kg:Evidence ; rdf:subject e:yixinou ; rdf:predicate kg:departsFrom ; rdf:object e:yiwu_west ;
    kg:sentence s:rail-1 ; kg:rule "route.departs_from" ; kg:confidence 0.9 ; kg:reportedOn "2025-06-18"^^xsd:date .
ev:2 a kg:Evidence ; rdf:subject e:chen ; rdf:predicate kg:affiliatedWith ; rdf:object e:hengyuan ;
    kg:sentence s:page-1 ; kg:rule "person.role" ; kg:role "总经理" .
ev:3 a kg:Evidence ; kg:sentence s:rail-2 ; kg:rule "stat.count" .

o:1 a kg:Observation ; kg:subject e:yixinou ; kg:indicator "开行班列" ;
    kg:value 1012.0 ; kg:unit kg:train ; kg:valueText "1012列" ;
    kg:period "今年1—5月" ; kg:periodStart "2025-01-01"^^xsd:date ; kg:periodEnd "2025-05-31"^^xsd:date ;
    kg:evidence ev:3 .
o:2 a kg:Observation ; kg:subject e:yixinou ; kg:indicator "同比增长" ;
    kg:value 14.6 ; kg:unit kg:percent ; kg:qualifier "约" ;
    kg:period "今年1—5月" ; kg:periodStart "2025-01-01"^^xsd:date ; kg:periodEnd "2025-05-31"^^xsd:date ;
    kg:evidence ev:3 .
"""

ID = "http://example.org/kg/id/"
CURIES = {"e:": ID + "entity/", "d:": ID + "doc/", "s:": ID + "sentence/", "ev:": ID + "evidence/",
          "o:": ID + "obs/", "kg:": str(KG), "rdfs:": str(RDFS), "owl:": str(OWL),
          "dcterms:": "http://purl.org/dc/terms/", "skos:": "http://www.w3.org/2004/02/skos/core#"}


def iri(curie: str | None) -> URIRef | None:
    if curie is None:
        return None
    prefix, _, name = curie.partition(":")
    return URIRef(CURIES[prefix + ":"] + name)


def edited(drop: str = "", add: str = "") -> Graph:
    g = Graph().parse(data=GOOD, format="turtle")
    g -= Graph().parse(data=PREFIXES + drop, format="turtle")
    g += Graph().parse(data=PREFIXES + add, format="turtle")
    return g


# --------------------------------------------------------------------------- shapes.ttl

SH = Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY / "shapes.ttl")


def violations(data: Graph, shapes: Graph, onto: Graph) -> tuple[bool, set[tuple], str]:
    import pyshacl

    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=onto, inference="none")
    found = {(report.value(r, SH.focusNode), report.value(r, SH.resultPath))
             for r in report.subjects(RDF.type, SH.ValidationResult)}
    return conforms, found, text


def test_shapes_are_valid_shacl(shapes):
    import pyshacl

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


@pytest.mark.parametrize("drop, add", [
    ("", ""),
    # a document need not have a title or a date
    ('d:rail dcterms:title "义新欧班列开行量创新高"@zh ; dcterms:date "2025-06-18"^^xsd:date .', ""),
    # an observation need not say what it is about, nor its period
    ('o:2 kg:subject e:yixinou ; kg:period "今年1—5月" .', ""),
    # an entity with a Latin name is labelled @en
    ("", 'e:selection a kg:Brand ; rdfs:label "Yiwu Selection"@en ; kg:mentionedIn d:page .'),
], ids=["as written", "untitled document", "observation without subject", "latin label"])
def test_shapes_conform(onto, shapes, drop, add):
    conforms, found, text = violations(edited(drop, add), shapes, onto)
    assert conforms, text


SHAPE_CASES = [
    # (what is wrong, triples dropped, triples added, focus node, result path)
    ("entity without label", 'e:madrid rdfs:label "马德里"@zh .', "", "e:madrid", "rdfs:label"),
    ("label without language", 'e:madrid rdfs:label "马德里"@zh .', 'e:madrid rdfs:label "马德里" .', "e:madrid", "rdfs:label"),
    ("label in another language", 'e:madrid rdfs:label "马德里"@zh .', 'e:madrid rdfs:label "Madrid"@es .', "e:madrid", "rdfs:label"),
    ("two labels", "", 'e:madrid rdfs:label "Madrid"@en .', "e:madrid", "rdfs:label"),
    ("entity never mentioned", "e:madrid kg:mentionedIn d:rail .", "", "e:madrid", "kg:mentionedIn"),
    ("mentioned in a sentence", "e:madrid kg:mentionedIn d:rail .", "e:madrid kg:mentionedIn s:rail-1 .", "e:madrid", "kg:mentionedIn"),
    ("sameAs not Wikidata", "", "e:madrid owl:sameAs <http://dbpedia.org/resource/Madrid> .", "e:madrid", "owl:sameAs"),
    ("located in a route", "", "e:madrid kg:locatedIn e:yixinou .", "e:madrid", "kg:locatedIn"),
    ("city part of a zone", "", "e:yiwu kg:partOf e:ftz .", "e:yiwu", None),
    ("zone part of a city", "", "e:jinyi kg:partOf e:yiwu .", "e:jinyi", "kg:partOf"),
    ("city departs from", "", "e:yiwu kg:departsFrom e:yiwu_west .", "e:yiwu", None),
    ("departs from a company", "", "e:yixinou kg:departsFrom e:landport .", "e:yixinou", "kg:departsFrom"),
    ("destination a policy", "", "e:yixinou kg:destination e:reform .", "e:yixinou", "kg:destination"),
    ("facility goes via", "", "e:yiwu_west kg:via e:alashankou .", "e:yiwu_west", None),
    ("via a person", "", "e:yixinou kg:via e:chen .", "e:yixinou", "kg:via"),
    ("policy connects", "", "e:reform kg:connects e:ningbo_port .", "e:reform", None),
    ("connects a company", "", "e:corridor kg:connects e:landport .", "e:corridor", "kg:connects"),
    ("person operated by", "", "e:chen kg:operatedBy e:hengyuan .", "e:chen", None),
    ("operated by a person", "", "e:chinagoods kg:operatedBy e:chen .", "e:chinagoods", "kg:operatedBy"),
    ("city issued by", "", "e:yiwu kg:issuedBy e:state_council .", "e:yiwu", None),
    ("issued by a city", "", "e:reform kg:issuedBy e:yiwu .", "e:reform", "kg:issuedBy"),
    ("route applies to", "", "e:yixinou kg:appliesTo e:yiwu .", "e:yixinou", None),
    ("applies to a person", "", "e:reform kg:appliesTo e:chen .", "e:reform", "kg:appliesTo"),
    ("route exports", "", "e:yixinou kg:exportsTo e:spain .", "e:yixinou", None),
    ("exports to a company", "", "e:yiwu kg:exportsTo e:landport .", "e:yiwu", "kg:exportsTo"),
    ("company affiliated", "", "e:landport kg:affiliatedWith e:hengyuan .", "e:landport", None),
    ("affiliated with a city", "", "e:chen kg:affiliatedWith e:yiwu .", "e:chen", "kg:affiliatedWith"),
    ("document mentioned in", "", "d:page kg:mentionedIn d:rail .", "d:page", None),
    ("observation without value", "o:1 kg:value 1012.0 .", "", "o:1", "kg:value"),
    ("value as text", "o:1 kg:value 1012.0 .", 'o:1 kg:value "1012" .', "o:1", "kg:value"),
    ("value as integer", "o:1 kg:value 1012.0 .", "o:1 kg:value 1012 .", "o:1", "kg:value"),
    ("two values", "", "o:1 kg:value 1013.0 .", "o:1", "kg:value"),
    ("observation without unit", "o:1 kg:unit kg:train .", "", "o:1", "kg:unit"),
    ("unit as a string", "o:1 kg:unit kg:train .", 'o:1 kg:unit "列" .', "o:1", "kg:unit"),
    ("unit not a unit", "o:1 kg:unit kg:train .", "o:1 kg:unit kg:Route .", "o:1", "kg:unit"),
    ("two units", "", "o:1 kg:unit kg:item .", "o:1", "kg:unit"),
    ("observation without indicator", 'o:1 kg:indicator "开行班列" .', "", "o:1", "kg:indicator"),
    ("two subjects", "", "o:1 kg:subject e:yiwu .", "o:1", "kg:subject"),
    ("subject not an entity", "", "o:2 kg:subject d:rail .", "o:2", "kg:subject"),
    ("observation without evidence", "o:1 kg:evidence ev:3 .", "", "o:1", "kg:evidence"),
    ("period ends before it starts", 'o:1 kg:periodEnd "2025-05-31"^^xsd:date .',
     'o:1 kg:periodEnd "2024-12-31"^^xsd:date .', "o:1", "kg:periodStart"),
    ("evidence without sentence", "ev:1 kg:sentence s:rail-1 .", "", "ev:1", "kg:sentence"),
    ("evidence without rule", 'ev:1 kg:rule "route.departs_from" .', "", "ev:1", "kg:rule"),
    ("confidence above one", "ev:1 kg:confidence 0.9 .", "ev:1 kg:confidence 1.5 .", "ev:1", "kg:confidence"),
    ("evidence of nothing", "o:1 kg:evidence ev:3 . o:2 kg:evidence ev:3 .",
     "o:1 kg:evidence ev:1 . o:2 kg:evidence ev:1 .", "ev:3", None),
    ("reified without object", "ev:2 rdf:object e:hengyuan .", "", "ev:2", None),
    ("sentence without text", "s:rail-1 kg:text " + '"一列义新欧班列从义乌西站驶出，将经阿拉山口口岸出境，开往西班牙马德里。" .',
     "", "s:rail-1", "kg:text"),
    ("sentence ends before it starts", "s:rail-2 kg:charEnd 70 .", "s:rail-2 kg:charEnd 20 .", "s:rail-2", "kg:charStart"),
    ("negative offset", "s:rail-1 kg:charStart 0 .", "s:rail-1 kg:charStart -3 .", "s:rail-1", "kg:charStart"),
    ("offset as text", "s:rail-1 kg:charStart 0 .", 's:rail-1 kg:charStart "0" .', "s:rail-1", "kg:charStart"),
    ("sentence outside any document", "s:page-1 kg:inDocument d:page .", "", "s:page-1", "kg:inDocument"),
    ("document without source file", 'd:page kg:sourceFile "examples/newspaper_page.txt" .', "", "d:page", "kg:sourceFile"),
    ("two titles", "", 'd:rail dcterms:title "另一个标题"@zh .', "d:rail", "dcterms:title"),
    ("date as text", 'd:rail dcterms:date "2025-06-18"^^xsd:date .', 'd:rail dcterms:date "2025年6月18日" .', "d:rail", "dcterms:date"),
    ("hash not sha-256", "", 'd:page kg:contentHash "abc" .', "d:page", "kg:contentHash"),
]


@pytest.mark.parametrize("drop, add, focus, path", [c[1:] for c in SHAPE_CASES], ids=[c[0] for c in SHAPE_CASES])
def test_shapes_violate(onto, shapes, drop, add, focus, path):
    conforms, found, text = violations(edited(drop, add), shapes, onto)
    assert not conforms
    assert (iri(focus), iri(path)) in found, text


def test_shapes_need_the_ontology_for_units(shapes):
    """Without kg.ttl mixed in, kg:train is not known to be a kg:Unit: the header of shapes.ttl says so."""
    import pyshacl

    conforms, _, _ = pyshacl.validate(Graph().parse(data=GOOD, format="turtle"), shacl_graph=shapes)
    assert not conforms


# --------------------------------------------------------------------------- queries/*.rq

QUERIES = sorted((ONTOLOGY / "queries").glob("*.rq"))
REQUIRED_QUERIES = {"provenance", "entity", "routes_from", "statistics", "entities_by_class", "most_connected",
                    "entities"}
CURIES["rdf:"] = str(RDF)


def header(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(\w+):\s*(.*)", line)
        if m:
            key = m.group(1)
            fields[key] = m.group(2).strip()
        elif key:
            fields[key] += " " + line.lstrip("# ").strip()
    return fields


def test_required_queries_exist():
    assert REQUIRED_QUERIES - {p.stem for p in QUERIES} == set()


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_parses_and_has_a_header(path):
    from rdflib.plugins.sparql import prepareQuery

    text = path.read_text(encoding="utf-8")
    prepareQuery(text)
    fields = header(path)
    assert fields.get("name") == path.stem
    assert len(fields.get("description", "")) > 20
    assert "params" in fields
    # Oxigraph substitutes only variables of the SELECT projection
    projection = re.search(r"^SELECT(.*?)^WHERE", text, re.S | re.M).group(1)
    for var in re.findall(r"\?(\w+)", fields["params"]):
        assert re.search(rf"\?{var}\b", projection), f"?{var} is a parameter but not projected"
    # parameters are bound by the caller, never formatted into the text
    assert not re.search(r"\{\w*\}|%s|\$\w+", text)


def expand(value: str) -> str:
    prefix, sep, rest = value.partition(":")
    return CURIES[prefix + ":"] + rest if sep and prefix + ":" in CURIES and not rest.startswith("//") else value


def term(value: str):
    from rdflib import Literal

    full = expand(value)
    return URIRef(full) if full != value or value.startswith("http") else Literal(value)


def run_rdflib(data: Graph, name: str, bindings: dict[str, str]) -> list[dict[str, str]]:
    from rdflib import Variable

    query = (ONTOLOGY / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    result = data.query(query, initBindings={Variable(k): term(v) for k, v in bindings.items()})
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]


def run_oxigraph(data: Graph, name: str, bindings: dict[str, str]) -> list[dict[str, str]]:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(data.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)

    def ox_term(value):
        t = term(value)
        return ox.NamedNode(str(t)) if isinstance(t, URIRef) else ox.Literal(str(t))

    query = (ONTOLOGY / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    solutions = store.query(query, substitutions={ox.Variable(k): ox_term(v) for k, v in bindings.items()})
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


BACKENDS = {"rdflib": run_rdflib, "oxigraph": run_oxigraph}

RAIL_1 = "一列义新欧班列从义乌西站驶出，将经阿拉山口口岸出境，开往西班牙马德里。"
RAIL_2 = "今年1—5月，义乌共开行义新欧班列1012列，同比增长14.6%。"

QUERY_CASES = [
    # (query, bindings, load kg.ttl too, column, the column's values in result order)
    ("provenance", {"subject": "e:yixinou", "property": "kg:departsFrom"}, False, "title", ["义新欧班列开行量创新高"]),
    ("provenance", {"subject": "e:yixinou", "property": "kg:departsFrom"}, False, "text", [RAIL_1]),
    ("provenance", {"subject": "e:yixinou", "property": "kg:departsFrom"}, False, "rule", ["route.departs_from"]),
    ("provenance", {"subject": "e:yixinou", "property": "kg:departsFrom"}, False, "sourceFile",
     ["examples/railway_express.html"]),
    ("provenance", {"subject": "e:yixinou", "property": "kg:departsFrom"}, False, "date", ["2025-06-18"]),
    ("provenance", {"property": "kg:affiliatedWith"}, False, "role", ["总经理"]),
    ("provenance", {"object": "e:hengyuan"}, False, "subject", ["e:chen"]),
    ("provenance", {"subject": "o:1", "property": "kg:value"}, False, "text", [RAIL_2]),
    ("provenance", {"subject": "o:2"}, False, "property",
     ["kg:indicator", "kg:period", "kg:periodEnd", "kg:periodStart", "kg:qualifier", "kg:subject", "kg:unit",
      "kg:value", "rdf:type"]),
    ("provenance", {"subject": "e:madrid"}, False, "rule", []),
    ("entity", {"entity": "e:yiwu_west"}, False, "property",
     ["kg:locatedIn", "kg:mentionedIn", "rdf:type", "rdfs:label", "kg:departsFrom"]),
    ("entity", {"entity": "e:yiwu_west"}, False, "direction", ["out", "out", "out", "out", "in"]),
    ("entity", {"entity": "e:alashankou"}, False, "valueLabel", ["义新欧"]),
    ("entity", {"entity": "e:alashankou"}, True, "valueLabel", ["设施", "义新欧"]),
    ("entity", {"entity": "e:yixinou"}, False, "value",
     ["e:yiwu_west", "e:madrid", "d:rail", "e:landport", "e:alashankou", "kg:Route", "义新欧", "o:1", "o:2"]),
    ("routes_from", {"place": "e:yiwu"}, False, "route", ["e:yixinou"]),
    ("routes_from", {"place": "e:yiwu"}, False, "from", ["e:yiwu_west"]),
    ("routes_from", {"place": "e:yiwu"}, False, "destinationLabel", ["马德里"]),
    ("routes_from", {"place": "e:yiwu"}, False, "via", ["e:alashankou"]),
    ("routes_from", {"place": "e:yiwu"}, False, "text", [RAIL_1]),
    ("routes_from", {"place": "e:zhejiang"}, False, "route", ["e:yixinou"]),
    ("routes_from", {"place": "e:yiwu_west"}, False, "route", ["e:yixinou"]),
    ("routes_from", {"place": "e:spain"}, False, "route", []),
    ("statistics", {"entity": "e:yixinou"}, False, "indicator", ["同比增长", "开行班列"]),
    ("statistics", {"entity": "e:yixinou"}, False, "unitCode", ["percent", "train"]),
    ("statistics", {"entity": "e:yixinou"}, False, "periodStart", ["2025-01-01", "2025-01-01"]),
    # Oxigraph writes decimals canonically (1012.0 comes back as 1012): compare a value that is canonical already
    ("statistics", {"entity": "e:yixinou", "indicator": "同比增长"}, False, "value", ["14.6"]),
    ("statistics", {"entity": "e:yixinou", "indicator": "开行班列"}, False, "valueText", ["1012列"]),
    ("statistics", {"entity": "e:yixinou", "unit": "kg:percent"}, False, "qualifier", ["约"]),
    ("statistics", {"entity": "e:yiwu"}, False, "value", []),
    ("entities_by_class", {"cls": "kg:City"}, False, "entity", ["e:yiwu", "e:madrid"]),
    ("entities_by_class", {"cls": "kg:Place"}, False, "entity", []),
    ("entities_by_class", {"cls": "kg:Place"}, True, "entity",
     ["e:yiwu", "e:madrid", "e:spain", "e:zhejiang", "e:middle_east"]),
    ("entities_by_class", {"cls": "kg:Organization"}, True, "label",
     ["义乌市恒远供应链有限公司", "义乌陆港班列运营有限公司", "国务院"]),
    ("entities", {"cls": "kg:Zone"}, False, "entity", ["e:ftz", "e:jinyi"]),
    ("entities", {"entity": "e:yiwu"}, False, "documents", ["2"]),
    ("entities", {"entity": "e:yiwu"}, True, "cls", ["kg:City"]),
    ("documents", {}, False, "document", ["d:rail", "d:page"]),
    ("documents", {}, False, "entities", ["7", "12"]),
]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("name, bindings, with_ontology, column, expected", QUERY_CASES)
def test_query_answers(onto, backend, name, bindings, with_ontology, column, expected):
    data = Graph().parse(data=GOOD, format="turtle")
    if with_ontology:
        data += onto
    rows = BACKENDS[backend](data, name, bindings)
    assert [row.get(column) for row in rows if column in row] == [expand(v) for v in expected]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_most_connected(onto, backend):
    data = Graph().parse(data=GOOD, format="turtle") + onto
    rows = BACKENDS[backend](data, "most_connected", {})
    top = [(row["entity"], int(row["degree"])) for row in rows[:3]]
    assert top == [(expand("e:yiwu"), 4), (expand("e:yixinou"), 4), (expand("e:hengyuan"), 3)]
    assert len(rows) == 18   # every entity of GOOD has a relation; documents and observations are not counted


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_entity_listed_once(backend):
    rows = BACKENDS[backend](Graph().parse(data=GOOD, format="turtle"), "entities", {})
    assert len(rows) == len({row["entity"] for row in rows}) == 18


def test_graph_builder_output_conforms(onto, shapes):
    """What kg.graph.rdf writes for hand-made records passes the shapes (the contract between the two)."""
    from decimal import Decimal

    rdf = pytest.importorskip("kg.graph.rdf")
    from kg.records import Article, Entity, Extraction, Mention, Observation, Provenance, Relation, Sentence

    text = "一列义新欧班列从义乌西站驶出，开往西班牙马德里。今年1—5月，义新欧班列开行1012列。"
    first, second = Sentence(0, 24, text[:24]), Sentence(24, len(text), text[24:])
    article = Article(doc_id="rail", text=text, source="examples/railway_express.html", title="义新欧班列开行量创新高",
                      date="2025-06-18", authors=("孙浩然",), publisher="新华社", sentences=(first, second))
    prov = Provenance("rail", first, rule="route.departs_from", confidence=0.9, reported_on="2025-06-18")
    route = Entity("义新欧", "义新欧", "Route", aliases=("义新欧班列",))
    station = Entity("义乌西站", "义乌西站", "Facility")
    madrid = Entity("马德里", "马德里", "City", wikidata="Q2807")
    ex = Extraction(article, entities={e.key: e for e in (route, station, madrid)})
    for entity, sentence in ((route, first), (station, first), (madrid, first), (route, second)):
        start = sentence.start + sentence.text.index(entity.label)
        ex.mentions.append(Mention(entity, start, start + len(entity.label), entity.label,
                                   Provenance("rail", sentence, rule="gazetteer")))
    ex.relations += [Relation("义新欧", "departsFrom", "义乌西站", prov), Relation("义新欧", "destination", "马德里", prov)]
    ex.observations.append(Observation("义新欧", "开行", Decimal(1012), "train", "1012列",
                                       Provenance("rail", second, rule="stat.count", reported_on="2025-06-18"),
                                       period="今年1—5月", period_start="2025-01-01", period_end="2025-05-31"))
    data = Graph()
    for triple in rdf.extraction_triples(ex):
        data.add(triple)
    # validate what an export holds: read back from N-Triples (in memory, Literal(0.9, datatype=XSD.decimal)
    # keeps a Python float, which pyshacl rejects as an ill-typed decimal)
    data = Graph().parse(data=data.serialize(format="nt"), format="nt")
    conforms, _, report = violations(data, shapes, onto)
    assert conforms, report


# --------------------------------------------------------------------------- examples/gold

EXAMPLE_GOLD = sorted((ROOT / "examples" / "gold").glob("*.gold.json"))


@pytest.mark.parametrize("path", EXAMPLE_GOLD, ids=[p.name for p in EXAMPLE_GOLD])
def test_example_gold_speaks_the_ontology(onto, path):
    """The facts the example articles state use only classes, properties and units kg.ttl declares."""
    import json

    gold = json.loads(path.read_text(encoding="utf-8"))
    assert (ROOT / "examples" / gold["doc"]).exists()
    entity_classes = {local(c) for c in onto.transitive_subjects(RDFS.subClassOf, KG.Entity)} - {"Entity"}
    assert {e["type"] for e in gold["entities"]} <= entity_classes
    names = {n for e in gold["entities"] for n in (e["name"], *e["aliases"])}
    assert {r["p"] for r in gold["relations"]} <= properties(onto)
    assert [r for r in gold["relations"] if r["s"] not in names or r["o"] not in names] == []
    assert {o["unit"] for o in gold["observations"]} <= {local(u) for u in onto.subjects(RDF.type, KG.Unit)}
    assert [o for o in gold["observations"] if o["subject"] is not None and o["subject"] not in names] == []


def test_examples_cover_every_core_relation():
    import json

    stated = {r["p"] for p in EXAMPLE_GOLD for r in json.loads(p.read_text(encoding="utf-8"))["relations"]}
    assert {"locatedIn", "partOf", "departsFrom", "destination", "via", "connects", "operatedBy", "issuedBy",
            "appliesTo", "exportsTo", "affiliatedWith"} - stated == set()


def test_every_term_the_code_uses_is_declared(onto):
    """kg.vocab's closed namespace, and every KG.<name> written in kg/, name terms kg.ttl declares."""
    vocab = pytest.importorskip("kg.vocab")
    known = {local(s) for s in onto.subjects() if str(s).startswith(str(KG))}
    names = set(vocab.ENTITY_CLASSES + vocab.CORE_PROPERTIES + vocab.UNITS + vocab.OTHER_TERMS)
    for path in (ROOT / "kg").rglob("*.py"):
        names |= set(re.findall(r"\bKG\.([A-Za-z_]\w*)", path.read_text(encoding="utf-8")))
    assert vocab.KG_NS == str(KG)
    assert names - known == set()

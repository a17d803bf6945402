"""The ontology data files: ontology/kg.ttl, ontology/shapes.ttl and ontology/queries/*.rq."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
KG_TTL = ONTOLOGY / "kg.ttl"
CORE_MD = Path("/work/shared/ONTOLOGY-CORE.md")

KG = Namespace("http://example.org/kg/ontology#")

# Classes that describe where facts come from rather than things in the world.
NON_ENTITY_CLASSES = {"Document", "Sentence", "Evidence", "Observation", "Unit"}

# Terms the code uses beyond ONTOLOGY-CORE (agreed with the lead).
EXTRA_CLASSES = {"Evidence", "Unit"}
EXTRA_PROPERTIES = {
    "evidence", "sentence", "inDocument", "text", "charStart", "charEnd", "rule", "confidence",
    "role", "reportedOn", "sourceFile", "contentHash", "photographer", "qualifier", "valueText",
    "subject", "indicator", "value", "unit", "period", "periodStart", "periodEnd",
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
    if not CORE_MD.exists():
        pytest.skip(f"{CORE_MD} is absent")
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
    if not CORE_MD.exists():
        pytest.skip(f"{CORE_MD} is absent")
    text = CORE_MD.read_text(encoding="utf-8")
    para = text[text.index("Unit codes"):].split("\n\n")[0]
    return re.findall(r"`(\w+)`", para)


def core_observation_properties() -> set[str]:
    if not CORE_MD.exists():
        pytest.skip(f"{CORE_MD} is absent")
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


@pytest.mark.parametrize("name, domain, rng", core_signatures() if CORE_MD.exists() else [])
def test_core_domains_and_ranges(onto, name, domain, rng):
    prop = KG[name]
    assert members(onto, onto.value(prop, RDFS.domain)) == domain
    assert members(onto, onto.value(prop, RDFS.range)) == rng


@pytest.mark.parametrize("prop, domain, rng", [
    ("evidence", "Observation", "Evidence"),
    ("sentence", "Evidence", "Sentence"),
    ("inDocument", "Sentence", "Document"),
    ("text", "Sentence", "string"),
    ("charStart", "Sentence", "integer"),
    ("charEnd", "Sentence", "integer"),
    ("rule", "Evidence", "string"),
    ("confidence", "Evidence", "decimal"),
    ("role", "Evidence", "string"),
    ("reportedOn", "Evidence", "date"),
    ("sourceFile", "Document", "string"),
    ("contentHash", "Document", "string"),
    ("photographer", "Document", "string"),
    ("subject", "Observation", "Entity"),
    ("indicator", "Observation", "string"),
    ("value", "Observation", "decimal"),
    ("unit", "Observation", "Unit"),
    ("period", "Observation", "string"),
    ("periodStart", "Observation", "date"),
    ("periodEnd", "Observation", "date"),
    ("qualifier", "Observation", "string"),
    ("valueText", "Observation", "string"),
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

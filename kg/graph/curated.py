"""Hand-written facts that merge with the extracted ones under their own provenance.

A curated file is a document of its own: it gets a named graph (``graph/curated-<name>-<hash>``), a ``kg:Document``
node (``kg:sourceFile`` the file, ``dcterms:title`` its name, ``kg:contentHash`` of its text), and every fact in it a
``kg:Evidence`` node with ``kg:rule "curated"`` and ``prov:wasAttributedTo`` that document, and a ``kg:Sentence`` it was read from, like an article's fact: a CSV row
(its text and character offsets in the file), or for RDF input the triple's N-Triples line (the document's text is
then its triples as sorted N-Triples lines, so offsets and ``kg:contentHash`` point into that). Adding the same file
again replaces its facts (an unchanged one is skipped); ``kg remove DIR FILE`` takes them out.

Two inputs:

- Turtle (``.ttl``; or N-Triples ``.nt``, TriG/N-Quads are read as their triples): taken as written. Every triple
  other than ``rdf:type``, ``rdfs:label``, ``skos:altLabel`` and ``kg:mentionedIn`` is a fact with evidence.
- CSV (``.csv``, or ``.tsv``): rows of ``subject,property,object``; an optional header row naming those three columns;
  ``#`` starts a comment line. Subjects and objects are IRIs (``<…>``, ``http…``, ``id:entity/…``) or labels: a label
  or alias already in the graph names that entity, a gazetteer name its gazetteer entity, anything else a new entity
  (give its class with a row ``迪拜,a,City``). Properties are kg names (``locatedIn``), prefixed names
  (``rdfs:label``, ``owl:sameAs``), IRIs, or ``a``/``type``, ``label``, ``alias``, ``sameAs``. The object of a label,
  alias or datatype property is a literal; of ``owl:sameAs`` a Wikidata id (``Q1234``) or IRI.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import DataError
from kg.graph.rdf import WIKIDATA, _digest, doc_iri, entity_iri, label_literal, sentence_iri
from kg.records import Entity
from kg.vocab import ENTITY_CLASSES, ID_NS, KG, KG_NS

RULE = "curated"
DESCRIPTIVE = {RDF.type, RDFS.label, SKOS.altLabel, KG.mentionedIn}
PROPERTY_WORDS = {
    "a": RDF.type, "type": RDF.type, "class": RDF.type, "类型": RDF.type, "类别": RDF.type,
    "label": RDFS.label, "name": RDFS.label, "名称": RDFS.label,
    "alias": SKOS.altLabel, "altlabel": SKOS.altLabel, "别名": SKOS.altLabel,
    "sameas": OWL.sameAs,
}
HEADERS = ({"subject", "property", "object"}, {"subject", "predicate", "object"}, {"主语", "属性", "宾语"},
           {"主体", "关系", "客体"})
RDF_SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".n3": "n3", ".trig": "trig", ".nq": "nquads"}


@dataclass
class CuratedReport:
    doc_id: str
    source: str
    facts: int = 0
    triples: int = 0
    new_entities: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # terms the ontology does not define: read as written
    unchanged: bool = False

    def summary(self) -> str:
        if self.unchanged:
            return f"{self.source}: unchanged ({self.doc_id})"
        new = f", {len(self.new_entities)} new entities" if self.new_entities else ""
        return f"{self.source}: {self.facts} curated facts{new}, {self.triples} triples in graph {self.doc_id}"


def curated_doc_id(path: Path) -> str:
    """Stable for one file: its name, and a hash of its absolute path (two fact files may share a name)."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-") or "facts"
    digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:8]
    return f"curated-{stem}-{digest}"


def add_facts(store, path: Path, *, ontology: Path, force: bool = False) -> CuratedReport:
    """Read a Turtle or CSV file of facts into ``store`` as its own document; skip it when unchanged. A name in a CSV
    row that the graph does not know is looked up in ``ontology``/gazetteer."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"[E100] cannot read {path}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"[E101] {path} is not UTF-8 text; save it as UTF-8 and add it again") from None
    doc_id = curated_doc_id(path)
    report = CuratedReport(doc_id, str(path))
    suffix = path.suffix.lower()
    if suffix in RDF_SUFFIXES:
        # the document's text is its triples as sorted N-Triples lines: each fact's sentence is its line
        text, facts = _rdf_facts(text, RDF_SUFFIXES[suffix], path)
    elif suffix in (".csv", ".tsv"):
        facts = _csv_facts(text, "\t" if suffix == ".tsv" else ",", path, store, report, ontology)
    else:
        raise DataError(f"[E102] {path}: curated facts are a Turtle (.ttl, .nt) or CSV (.csv, .tsv) file")
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not force and store.document_hash(doc_id) == content_hash:
        report.new_entities.clear()
        report.notes.clear()
        report.unchanged = True
        return report
    report.warnings = _undefined_terms(store, [t for t, _ in facts], path)
    doc = doc_iri(doc_id)
    triples = {
        (doc, RDF.type, KG.Document), (doc, KG.sourceFile, Literal(str(path))),
        (doc, KG.contentHash, Literal(content_hash)), (doc, DCTERMS.title, Literal(f"curated facts: {path.name}")),
        (doc, DCTERMS.date, Literal(date.fromtimestamp(path.stat().st_mtime).isoformat(), datatype=XSD.date)),
    }
    for triple, row in facts:
        triples.add(triple)
        if triple[1] not in DESCRIPTIVE:
            report.facts += 1
            triples.update(_evidence(doc_id, triple, row))
    # every entity the file names is mentioned in it
    for s, p, o in list(triples):
        for node in (s, o):
            if isinstance(node, URIRef) and _is_entity(node, triples, store):
                triples.add((node, KG.mentionedIn, doc))
    if not any(s != doc for s, _, _ in triples):
        raise DataError(f"[E103] {path}: no facts found (CSV rows are subject,property,object)")
    report.triples = store.replace_document(doc_id, sorted(triples))
    return report


def _evidence(doc_id: str, triple: tuple, row: tuple[int, int, str] | None) -> Iterator[tuple]:
    node = ID_NS[f"evidence/{_digest(*triple, doc_id, RULE)}"]
    yield node, RDF.type, KG.Evidence
    yield node, RDF.type, RDF.Statement
    s, p, o = triple
    yield node, RDF.subject, s
    yield node, RDF.predicate, p
    yield node, RDF.object, o
    yield node, KG.rule, Literal(RULE)
    yield node, KG.confidence, Literal("1.0", datatype=XSD.decimal)
    yield node, PROV.wasAttributedTo, doc_iri(doc_id)
    if row:   # always, since curated Turtle facts have their N-Triples line as sentence
        start, end, text = row
        sentence = sentence_iri(doc_id, start, end)
        yield node, KG.sentence, sentence
        yield sentence, RDF.type, KG.Sentence
        yield sentence, KG.text, Literal(text)
        yield sentence, KG.charStart, Literal(start)
        yield sentence, KG.charEnd, Literal(end)
        yield sentence, KG.inDocument, doc_iri(doc_id)


# namespaces whose terms kg uses as they are (ontology/kg.ttl, header): the ontology defines kg: terms only
STANDARD = tuple(str(ns) for ns in (RDF, RDFS, OWL, SKOS, DCTERMS, PROV, XSD)) + ("https://schema.org/",)


def _undefined_terms(store, triples: list[tuple], path: Path) -> list[str]:
    """[I040]/[I041] for each property and class the facts use that the ontology does not define (a typo such as
    kg:locatdIn, or another vocabulary): the facts are kept as written, but kg's queries and shapes will not know
    them."""
    import pyoxigraph as ox

    from kg.graph.store import ONTOLOGY_GRAPH

    def defined(term) -> bool:
        return str(term).startswith(STANDARD) or any(
            True for _ in store.db.quads_for_pattern(ox.NamedNode(str(term)), None, None, ONTOLOGY_GRAPH))

    properties = sorted({p for _, p, _ in triples if not defined(p)})
    classes = sorted({o for _, p, o in triples if p == RDF.type and isinstance(o, URIRef) and not defined(o)})
    return ([f"[I040] {path}: the ontology defines no property {_short(p)}; its facts are added as written"
             for p in properties]
            + [f"[I041] {path}: the ontology defines no class {_short(c)}; its members are added as written"
               for c in classes])


def _short(iri) -> str:
    return f"kg:{str(iri)[len(KG_NS):]}" if str(iri).startswith(KG_NS) else f"<{iri}>"


def _is_entity(node: URIRef, triples: set, store) -> bool:
    if str(node).startswith(str(ID_NS) + "entity/"):
        return True
    classes = {str(KG[c]) for c in ENTITY_CLASSES} | {str(KG.Entity)}
    if any(s == node and p == RDF.type and str(o) in classes for s, p, o in triples):
        return True
    import pyoxigraph as ox

    return any(q.object.value in classes for q in store.db.quads_for_pattern(
        ox.NamedNode(str(node)), ox.NamedNode(str(RDF.type)), None, ox.DefaultGraph()))


# --- Turtle ---------------------------------------------------------------------------------------------------------

def _rdf_facts(text: str, fmt: str, path: Path) -> tuple[str, list[tuple]]:
    from rdflib import Dataset, Graph

    _check_syntax(text, fmt, path)
    try:
        if fmt in ("trig", "nquads"):
            graph = Dataset()
            graph.parse(data=text, format=fmt)
            triples = {(s, p, o) for s, p, o, _ in graph.quads((None, None, None, None))}
        else:
            triples = set(Graph().parse(data=text, format=fmt, publicID=path.resolve().as_uri()))
    except Exception as error:   # noqa: BLE001 (rdflib's parsers raise many kinds)
        raise DataError(f"[E104] {path} is not valid {fmt}: {error}") from None
    lines = sorted((f"{s.n3()} {p.n3()} {o.n3()} .", (s, p, o)) for s, p, o in triples)
    out, offset = [], 0
    for line, triple in lines:
        out.append((triple, (offset, offset + len(line), line)))
        offset += len(line) + 1
    return "".join(line + "\n" for line, _ in lines), out


OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "n3": "N3", "trig": "TRIG", "nquads": "N_QUADS"}


def _check_syntax(text: str, fmt: str, path: Path) -> None:
    """E104 in one line, with the line, column and what was expected (Oxigraph's parser says where; rdflib's
    messages run over several lines and quote the rest of the file)."""
    import pyoxigraph as ox

    try:
        for _ in ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, OX_FORMATS[fmt]),
                          base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as error:
        message = " ".join(str(error).split())
        m = re.match(r"Parser error at line (\d+) between columns (\d+) and \d+: (.*?)(?: \(line \d+\))?$", message)
        place = f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}" if m else message
        raise DataError(f"[E104] {path} is not valid {fmt}: {place}") from None


# --- CSV ------------------------------------------------------------------------------------------------------------

def _csv_facts(text: str, delimiter: str, path: Path, store, report, ontology: Path) -> list[tuple]:
    resolver = _Resolver(store, report, ontology)
    rows = list(_rows(text, delimiter))
    if rows and {c.strip().lower() for c in rows[0][1][:3]} in HEADERS:
        rows = rows[1:]
    parsed = []
    for (start, end, line), cells in rows:
        cells = [c.strip() for c in cells]
        if len(cells) < 3 or not all(cells[:3]):
            raise DataError(f"[E105] {path}, offset {start}: a row needs subject, property and object: {line!r}")
        parsed.append(((start, end, line), cells[:3]))
    # classes first, so that a new entity's class is known wherever it is named
    for _, (s, p, o) in parsed:
        if _property(p) == RDF.type:
            resolver.declare(s, _class(o, path))
    out = []
    for row, (s, p, o) in parsed:
        prop = _property(p)
        subject = resolver.node(s)
        if prop == RDF.type:
            out.append(((subject, prop, _class(o, path)), row))
        elif prop in (RDFS.label, SKOS.altLabel) or _is_datatype_property(prop):
            out.append(((subject, prop, label_literal(o) if prop in (RDFS.label, SKOS.altLabel) else _literal(o)),
                        row))
        elif prop == OWL.sameAs and re.fullmatch(r"Q\d+", o):
            out.append(((subject, prop, URIRef(WIKIDATA + o)), row))
        else:
            out.append(((subject, prop, resolver.node(o)), row))
    out.extend(((t, None) for t in resolver.descriptions()))
    return out


def _rows(text: str, delimiter: str) -> Iterator[tuple[tuple[int, int, str], list[str]]]:
    """Each non-blank, non-comment line with its character offsets in the file and its cells."""
    offset = 0
    for line in text.splitlines(keepends=True):
        start, content = offset, line.rstrip("\r\n")
        offset += len(line)
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(content), delimiter=delimiter))
        yield (start, start + len(content), content), cells


def _property(text: str) -> URIRef:
    from kg.graph.query import typed_iri

    word = text.strip()
    if word.lower() in PROPERTY_WORDS:
        return PROPERTY_WORDS[word.lower()]
    if typed_iri(word) is not None:
        return URIRef(typed_iri(word))
    try:
        return KG[word]
    except (KeyError, AttributeError):
        raise DataError(f"[E106] unknown property {text!r}: use a kg property (locatedIn, partOf, departsFrom, "
                        f"destination, via, connects, operatedBy, issuedBy, appliesTo, exportsTo, affiliatedWith), a "
                        f"prefixed name (rdfs:label) or an IRI") from None


def _class(text: str, path: Path) -> URIRef:
    word = text.strip().removeprefix("kg:")
    if word.startswith("<") and word.endswith(">"):
        return URIRef(word[1:-1])
    if word in ENTITY_CLASSES or word == "Entity":
        return KG[word]
    raise DataError(f"[E107] {path}: unknown class {text!r}; known: {', '.join(ENTITY_CLASSES)}")


def _is_datatype_property(prop: URIRef) -> bool:
    return prop in {KG.indicator, KG.period, KG.qualifier, KG.valueText, KG.role, KG.text} or \
        str(prop).startswith(str(DCTERMS))


def _literal(text: str) -> Literal:
    return Literal(text) if text.isascii() else Literal(text, lang="zh")


class _Resolver:
    """Labels to entity IRIs: the graph's labels and aliases, then the gazetteer, then a new entity."""

    def __init__(self, store, report: CuratedReport, ontology: Path):
        self.store, self.report, self.ontology = store, report, Path(ontology)
        self.declared: dict[str, URIRef] = {}      # label -> class, from type rows
        self.new: dict[URIRef, tuple[str, URIRef | None, Entity | None]] = {}
        self._gazetteer = None

    def declare(self, label: str, cls: URIRef) -> None:
        self.declared[label] = cls

    def node(self, text: str) -> URIRef:
        from kg.graph.query import _entities_labelled, typed_iri

        word = text.strip()
        if typed_iri(word) is not None:
            return URIRef(typed_iri(word))

        known = _entities_labelled(self.store, word)
        if len(known) > 1:
            raise DataError(f"[E108] several entities are labelled {word!r}: "
                            f"{', '.join(e.value for e in known)}; write the IRI in <…> instead")
        if known:
            return URIRef(known[0].value)
        entity = self.gazetteer().get(word)
        if entity is not None:
            node = entity_iri(entity.key)
            self.new.setdefault(node, (word, KG[entity.cls], entity))
            return node
        from kg.names import canonical_key

        cls = self.declared.get(word)
        local = str(cls).removeprefix(KG_NS) if cls else None
        node = entity_iri(canonical_key(word, local))
        if node not in self.new:
            if cls is None:
                self.report.notes.append(f"{word!r} is a new entity without a class: typed kg:Entity "
                                         f"(add a row '{word},a,City' or another class)")
            self.new[node] = (word, cls, None)
        return node

    def gazetteer(self) -> dict[str, Entity]:
        if self._gazetteer is None:
            from kg.names import read_folder

            self._gazetteer = {}
            folder = self.ontology / "gazetteer"
            if folder.is_dir():
                for entity in read_folder(folder):
                    for name in (entity.label, *entity.aliases):
                        self._gazetteer.setdefault(name, entity)
        return self._gazetteer

    def descriptions(self) -> Iterator[tuple]:
        """Class and labels of the entities this file brings into the graph (those it does not declare itself)."""
        for node, (word, cls, entity) in sorted(self.new.items()):
            if self._in_graph(node):
                continue
            self.report.new_entities.append(word)
            if cls is None:
                yield node, RDF.type, KG.Entity
            elif word not in self.declared:
                yield node, RDF.type, cls
            label = entity.label if entity else word
            yield node, RDFS.label, label_literal(label)
            if label != word:
                yield node, SKOS.altLabel, label_literal(word)
            if entity and entity.wikidata:
                yield node, OWL.sameAs, URIRef(WIKIDATA + entity.wikidata)

    def _in_graph(self, node: URIRef) -> bool:
        import pyoxigraph as ox

        return any(True for _ in self.store.db.quads_for_pattern(
            ox.NamedNode(str(node)), ox.NamedNode(str(RDFS.label)), None, ox.DefaultGraph()))

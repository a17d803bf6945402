"""The interactive explorer: the graph as one self-contained HTML page (vis-network, as bundled with pyvis, inline).

The page sends no request anywhere: the vis-network script and style, kg's own script and style and the graph data
are all inside it, and a Content-Security-Policy that allows only those scripts (by hash) and no connection keeps it
so. Article text reaches the page only as JSON data in a non-executed ``<script type="application/json">`` block and
is put into the document with ``textContent``, never as HTML.

``explorer_data(store)`` gathers what the page shows (named queries in ``kg/viz/queries/``), ``explorer_html(data)``
renders the page, ``write_explorer(store, path)`` does both and writes the file whole or not at all.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.graph.store import GraphStore
from kg.vocab import COARSE, KG_NS, vocabulary_labels

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries"
ASSETS = HERE / "assets"
WIKIDATA = "http://www.wikidata.org/entity/"

DEFAULT_CAP = 200   # entities drawn at first: the most connected ones; the rest come by search or expansion

COLOURS = {
    "Place": "#4e79a7", "Country": "#2e5984", "Province": "#3b6ea5", "City": "#4e79a7", "County": "#6b93c3",
    "Town": "#8fb0d6", "Region": "#7fa7d1", "Zone": "#f28e2b", "Facility": "#e15759", "Route": "#3c9d96",
    "Organization": "#59a14f", "Company": "#59a14f", "GovernmentBody": "#2f6b28", "Association": "#8cd17d",
    "Platform": "#d4a600", "Policy": "#b07aa1", "Person": "#ff7f8e", "Brand": "#9c755f", "Industry": "#8a8178",
    "Event": "#d37295",
}
SHAPES = {   # one vis-network shape per coarse class; the label sits under the shape
    "Place": "dot", "Zone": "hexagon", "Facility": "square", "Route": "diamond", "Organization": "triangle",
    "Platform": "star", "Policy": "triangleDown", "Person": "dot", "Brand": "star", "Industry": "square",
    "Event": "diamond",
}
CLASS_ORDER = ("Place", "Country", "Province", "City", "County", "Town", "Region", "Zone", "Facility", "Route",
               "Organization", "Company", "GovernmentBody", "Association", "Platform", "Policy", "Person", "Brand",
               "Industry", "Event")


def _query(store: GraphStore, name: str):
    return store.query((QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def _value(term) -> str | None:
    return None if term is None else term.value


def _local(iri: str) -> str:
    return iri[len(KG_NS):] if iri.startswith(KG_NS) else iri


@dataclass
class _Entity:
    iri: str
    classes: set[str]
    labels: list[tuple[str, str | None]]
    aliases: set[str]
    wikidata: str | None = None

    def label(self) -> str:
        ranked = sorted(self.labels, key=lambda pair: (pair[1] != "zh", pair[0]))
        return ranked[0][0] if ranked else self.iri.rsplit("/", 1)[-1]

    def cls(self) -> str:
        """The most specific kg: class when documents disagree (City over Place), else the first by name."""
        specific = [c for c in self.classes if c in COARSE and COARSE[c] != c]
        ranked = sorted(specific or self.classes or {"Entity"})
        return ranked[0]


def explorer_data(store: GraphStore, *, ontology: Path, cap: int = DEFAULT_CAP) -> dict:
    """Everything the page shows, as compact JSON-ready lists. Entities come most connected first; classes and
    properties are named by their labels in ``ontology``/kg.ttl."""
    entities: dict[str, _Entity] = {}
    for row in _query(store, "entities"):
        iri, what, value = row["entity"].value, row["what"].value, row["value"]
        entity = entities.setdefault(iri, _Entity(iri, set(), [], set()))
        if what == "class":
            entity.classes.add(_local(value.value))
        elif what == "label":
            entity.labels.append((value.value, value.language))
        elif what == "alias":
            entity.aliases.add(value.value)
        elif what == "sameAs" and value.value.startswith(WIKIDATA):
            entity.wikidata = min(filter(None, (entity.wikidata, value.value[len(WIKIDATA):])))
    entities = {iri: e for iri, e in entities.items() if e.classes - {"Observation", "Document", "Sentence"}}

    documents: dict[str, tuple] = {}
    sentences: dict[str, tuple] = {}
    for row in _query(store, "sentences"):
        doc = row["document"].value
        documents.setdefault(doc, (_value(row["title"]) or "", _value(row["date"]) or "",
                                   _value(row["sourceFile"]) or ""))
        if row["sentence"] is not None:
            start = row["charStart"]
            sentences.setdefault(row["sentence"].value, (row["text"].value, doc, int(start.value) if start else 0))

    relations: dict[tuple[str, str, str], set[tuple]] = {}
    for row in _query(store, "relations"):
        s, o = row["subject"].value, row["object"].value
        if s in entities and o in entities:
            relations[(s, _local(row["property"].value), o)] = set()
    for row in _query(store, "relation_evidence"):
        bucket = relations.get((row["subject"].value, _local(row["property"].value), row["object"].value))
        if bucket is not None and row["sentence"].value in sentences:
            confidence = _value(row["confidence"])
            bucket.add((row["sentence"].value, _value(row["rule"]) or "",
                        float(confidence) if confidence else None, _value(row["role"]) or ""))

    mentions: dict[str, set[str]] = defaultdict(set)
    for row in _query(store, "mentions"):
        if row["entity"].value in entities and row["sentence"].value in sentences:
            mentions[row["entity"].value].add(row["sentence"].value)

    observations: dict[str, dict] = {}
    for row in _query(store, "observations"):
        if row["entity"].value not in entities:
            continue
        obs = observations.setdefault(row["observation"].value, {
            "entity": row["entity"].value, "indicator": row["indicator"].value, "value": row["value"].value,
            "unit": _value(row["unitCode"]) or "", "text": set(), "qualifier": set(),
            "period": _value(row["period"]) or "", "start": _value(row["periodStart"]) or "", "sentences": set(),
            "end": _value(row["periodEnd"]) or "", "concept": _value(row["notation"]) or "",
            "comparison": _value(row["comparison"]) or ""})
        if row["valueText"] is not None:
            obs["text"].add(row["valueText"].value)
        if row["qualifier"] is not None:
            obs["qualifier"].add(row["qualifier"].value)
        if row["sentence"] is not None and row["sentence"].value in sentences:
            obs["sentences"].add(row["sentence"].value)

    # degree: distinct (property, neighbour) pairs, either direction, as in ontology/queries/most_connected.rq
    neighbours: dict[str, set] = defaultdict(set)
    for s, p, o in relations:
        if s != o:
            neighbours[s].add((p, o, "out"))
            neighbours[o].add((p, s, "in"))
    order = sorted(entities, key=lambda iri: (-len(neighbours[iri]), -len(mentions[iri]),
                                              entities[iri].label(), iri))
    index = {iri: i for i, iri in enumerate(order)}

    used_sentences = sorted({sid for group in mentions.values() for sid in group}
                            | {ev[0] for group in relations.values() for ev in group}
                            | {sid for obs in observations.values() for sid in obs["sentences"]},
                            key=lambda sid: (sentences[sid][1], sentences[sid][2], sid))
    used_documents = sorted({sentences[sid][1] for sid in used_sentences}, key=lambda d: (documents[d][1], d))
    doc_index = {d: i for i, d in enumerate(used_documents)}
    sentence_index = {sid: i for i, sid in enumerate(used_sentences)}

    def sentence_ids(group) -> list[int]:
        return sorted(sentence_index[sid] for sid in group)

    nodes = []
    for iri in order:
        entity = entities[iri]
        label = entity.label()
        nodes.append({
            "k": iri, "l": label, "c": entity.cls(), "a": sorted(entity.aliases - {label}),
            "w": entity.wikidata or "", "d": len(neighbours[iri]), "m": sentence_ids(mentions[iri]),
        })
    edges = []
    for (s, p, o), evidence in sorted(relations.items(), key=lambda item: (index[item[0][0]], item[0][1],
                                                                             index[item[0][2]])):
        ev = sorted(([sentence_index[sid], rule, conf, role] for sid, rule, conf, role in evidence),
                    key=lambda e: (e[0], e[1]))
        edges.append([index[s], index[o], p, ev])
    obs_rows = []
    for iri, obs in sorted(observations.items(), key=lambda item: (index[item[1]["entity"]], item[1]["start"],
                                                                   item[1]["period"], item[1]["indicator"], item[0])):
        obs_rows.append([index[obs["entity"]], obs["indicator"], obs["value"], obs["unit"],
                         " / ".join(sorted(obs["text"])), "".join(sorted(obs["qualifier"])), obs["period"],
                         sentence_ids(obs["sentences"]), obs["concept"], obs["comparison"], obs["start"], obs["end"]])

    vocab = vocabulary_labels(ontology)
    present = {n["c"] for n in nodes}
    classes = {cls: {"zh": vocab.get(cls, {}).get("zh", cls), "colour": COLOURS.get(cls, "#999999"),
                     "shape": SHAPES.get(COARSE.get(cls, cls), "dot")}
               for cls in sorted(present, key=lambda c: (CLASS_ORDER.index(c) if c in CLASS_ORDER else 99, c))}
    props = {p: {"zh": vocab.get(p, {}).get("zh", p)} for p in sorted({e[2] for e in edges})}
    return {
        "cap": cap,
        "classes": classes,
        "props": props,
        "docs": [list(documents[d]) for d in used_documents],
        "sents": [[sentences[sid][0], doc_index[sentences[sid][1]]] for sid in used_sentences],
        "nodes": nodes,
        "edges": edges,
        "obs": obs_rows,
    }


@cache
def _asset(name: str) -> str:
    if name.startswith("vis-network"):
        import pyvis

        return (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")
    return (ASSETS / name).read_text(encoding="utf-8")


def _json_for_html(data: dict) -> str:
    """JSON that cannot end its <script> block or open a comment: <, > and & become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def explorer_html(data: dict, *, title: str = "kg explorer") -> str:
    scripts = [_asset("vis-network.min.js"), _asset("explorer.js")]
    policy = ("default-src 'none'; " + "script-src " + " ".join(_script_hash(s) for s in scripts) + "; "
              "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
              "base-uri 'none'; form-action 'none'")
    page = _asset("page.html")
    parts = {
        "{{policy}}": html.escape(policy, quote=False).replace('"', "&quot;"),
        "{{title}}": html.escape(title),
        "{{style}}": _asset("vis-network.css") + "\n" + _asset("explorer.css"),
        "{{data}}": _json_for_html(data),
        "{{vis}}": scripts[0],
        "{{script}}": scripts[1],
    }
    out, rest = [], page
    # substitute in one pass, in page order, so no inserted text is ever scanned for a placeholder
    while "{{" in rest:
        start = rest.index("{{")
        end = rest.index("}}", start) + 2
        out.append(rest[:start])
        out.append(parts[rest[start:end]])
        rest = rest[end:]
    out.append(rest)
    return "".join(out)


def write_explorer(store: GraphStore, path: Path, *, ontology: Path, title: str = "kg explorer",
                   cap: int = DEFAULT_CAP) -> Path:
    """Write the explorer page for the graph in ``store`` to ``path`` (atomically) and return the path."""
    path = Path(path)
    text = explorer_html(explorer_data(store, ontology=ontology, cap=cap), title=title)
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path

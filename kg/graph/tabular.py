"""The graph for people who live in Gephi or spreadsheets: entities as nodes, relations between them as edges.

``graphml`` writes one GraphML file (networkx): node attributes ``label``, ``class``, ``aliases``, ``wikidata``,
``documents``; edge attributes ``property``, ``label`` (the property's label), ``documents``, ``evidence``.
``csv`` writes two files into a folder, with Gephi's spreadsheet-import column names: ``nodes.csv`` (Id, Label, class,
aliases, wikidata, documents) and ``edges.csv`` (Source, Target, Type, Label, property, source_label, target_label,
documents, evidence). Rows are sorted, so the same graph gives the same files.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from kg.vocab import ENTITY_CLASSES, KG_NS, vocabulary_labels

NODES = f"""
PREFIX kg:   <{KG_NS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
SELECT ?entity ?cls (SAMPLE(?name) AS ?label) (GROUP_CONCAT(DISTINCT ?alias; separator="|") AS ?aliases)
       (SAMPLE(?same) AS ?wikidata) (COUNT(DISTINCT ?document) AS ?documents)
WHERE {{
  ?entity kg:mentionedIn ?document ; a ?cls .
  OPTIONAL {{ ?entity rdfs:label ?name }}
  OPTIONAL {{ ?entity skos:altLabel ?alias }}
  OPTIONAL {{ ?entity owl:sameAs ?same }}
}}
GROUP BY ?entity ?cls
"""
EDGES = f"""
PREFIX kg:  <{KG_NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?p ?o (COUNT(DISTINCT ?evidence) AS ?evidences) (COUNT(DISTINCT ?document) AS ?documents)
WHERE {{
  ?s ?p ?o .
  ?s kg:mentionedIn ?sd .
  ?o kg:mentionedIn ?od .
  FILTER (?p != kg:mentionedIn)
  OPTIONAL {{
    ?evidence rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:sentence/kg:inDocument ?document .
  }}
}}
GROUP BY ?s ?p ?o
"""


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    cls: str
    aliases: str
    wikidata: str
    documents: int


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    property: str
    documents: int
    evidence: int


def nodes_and_edges(store) -> tuple[list[Node], list[Edge]]:
    """Entities (with their most specific kg class) and the relations between them."""
    rank = {c: i for i, c in enumerate(ENTITY_CLASSES)}
    best: dict[str, Node] = {}
    for row in store.query(NODES):
        cls = row["cls"].value
        if not cls.startswith(KG_NS):
            continue
        local = cls[len(KG_NS):]
        node = Node(row["entity"].value, _v(row["label"]) or row["entity"].value, local,
                    _v(row["aliases"]), _v(row["wikidata"]), int(row["documents"].value))
        old = best.get(node.id)
        # a subclass (City) wins over its parent (Place): ENTITY_CLASSES lists parents first
        if old is None or rank.get(local, -1) > rank.get(old.cls, -1):
            best[node.id] = node
    edges = [Edge(row["s"].value, row["o"].value, row["p"].value, int(row["documents"].value),
                  int(row["evidences"].value))
             for row in store.query(EDGES) if row["s"].value in best and row["o"].value in best]
    return sorted(best.values(), key=lambda n: n.id), sorted(edges, key=lambda e: (e.source, e.property, e.target))


def _v(term) -> str:
    return "" if term is None else term.value


def _property_label(iri: str, ontology: Path) -> str:
    local = iri[len(KG_NS):] if iri.startswith(KG_NS) else iri
    return vocabulary_labels(ontology).get(local, {}).get("zh", local)


def write_graphml(store, path: Path, *, ontology: Path) -> tuple[int, int]:
    """The graph as one GraphML file; edges labelled by their property's @zh label in ``ontology``/kg.ttl."""
    import networkx as nx

    nodes, edges = nodes_and_edges(store)
    graph = nx.MultiDiGraph()
    for n in nodes:
        graph.add_node(n.id, label=n.label, **{"class": n.cls}, aliases=n.aliases, wikidata=n.wikidata,
                       documents=n.documents)
    for e in edges:
        local = e.property[len(KG_NS):] if e.property.startswith(KG_NS) else e.property
        graph.add_edge(e.source, e.target, key=local, property=local, label=_property_label(e.property, ontology),
                       documents=e.documents, evidence=e.evidence)
    tmp = Path(str(path) + ".tmp")
    nx.write_graphml(graph, tmp, encoding="utf-8", prettyprint=True)
    os.replace(tmp, path)
    return len(nodes), len(edges)


def write_csv(store, folder: Path, *, ontology: Path) -> tuple[int, int]:
    """nodes.csv and edges.csv in ``folder``; edges labelled by their property's @zh label in ``ontology``/kg.ttl."""
    nodes, edges = nodes_and_edges(store)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    labels = {n.id: n.label for n in nodes}
    _write(folder / "nodes.csv", ["Id", "Label", "class", "aliases", "wikidata", "documents"],
           ([n.id, n.label, n.cls, n.aliases, n.wikidata, n.documents] for n in nodes))
    _write(folder / "edges.csv",
           ["Source", "Target", "Type", "Label", "property", "source_label", "target_label", "documents", "evidence"],
           ([e.source, e.target, "Directed", _property_label(e.property, ontology),
             e.property[len(KG_NS):] if e.property.startswith(KG_NS) else e.property,
             labels[e.source], labels[e.target], e.documents, e.evidence] for e in edges))
    return len(nodes), len(edges)


def _write(path: Path, header: list[str], rows) -> None:
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as out:   # the BOM makes Excel read UTF-8
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, path)

"""The interactive explorer: the graph's entities and relations as a self-contained pyvis page (works offline)."""
from __future__ import annotations

import os
from pathlib import Path

import networkx as nx

from kg.graph.store import GraphStore
from kg.vocab import KG_NS

ENTITY_EDGES = """
PREFIX kg: <http://example.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?p ?o WHERE {
  ?s ?p ?o . ?s rdfs:label ?sl . ?o rdfs:label ?ol .
  FILTER(STRSTARTS(STR(?p), STR(kg:)) && ?p != kg:mentionedIn)
}"""
ENTITY_NODES = """
PREFIX kg: <http://example.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?label ?cls WHERE {
  ?e kg:mentionedIn ?doc ; rdfs:label ?label ; a ?cls . FILTER(STRSTARTS(STR(?cls), STR(kg:)))
}"""

COLOURS = {
    "Place": "#4e79a7", "Country": "#2e5984", "Province": "#3b6ea5", "City": "#4e79a7", "County": "#6b93c3",
    "Town": "#8fb0d6", "Region": "#a0c4e8", "Zone": "#f28e2b", "Facility": "#e15759", "Route": "#76b7b2",
    "Organization": "#59a14f", "Company": "#59a14f", "GovernmentBody": "#3d7a34", "Association": "#8cd17d",
    "Platform": "#edc948", "Policy": "#b07aa1", "Person": "#ff9da7", "Brand": "#9c755f", "Industry": "#bab0ac",
    "Event": "#d37295",
}


def entity_network(store: GraphStore, *, max_nodes: int = 500) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for row in store.query(ENTITY_NODES):
        cls = row["cls"].value[len(KG_NS):]
        graph.add_node(row["e"].value, label=row["label"].value, cls=cls)
    for row in store.query(ENTITY_EDGES):
        s, o = row["s"].value, row["o"].value
        if s in graph and o in graph:
            graph.add_edge(s, o, key=row["p"].value, prop=row["p"].value[len(KG_NS):])
    if graph.number_of_nodes() > max_nodes:
        ranked = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))[:max_nodes]
        graph = graph.subgraph(ranked).copy()
    return graph


def write_explorer(store: GraphStore, path: Path, *, title: str = "kg explorer") -> Path:
    from pyvis.network import Network

    graph = entity_network(store)
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line", heading=title)
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        net.add_node(node, label=data["label"], title=f"{data['label']} ({data['cls']})",
                     color=COLOURS.get(data["cls"], "#999999"), group=data["cls"],
                     size=10 + 3 * min(graph.degree(node), 10))
    for s, o, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["prop"])):
        net.add_edge(s, o, label=data["prop"], title=data["prop"])
    net.toggle_physics(True)
    html = net.generate_html(notebook=False)
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path

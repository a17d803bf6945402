"""Evidence sentences by words: what ``kg search DIR TEXT`` prints.

Every fact keeps its sentence, so the sentences are the graph's full text. A sentence matches when it contains every
word of the query (words are separated by spaces; Chinese is matched as written, no segmentation needed), and comes
with its document and the entities of that document it names (by label or alias).
"""
from __future__ import annotations

from dataclasses import dataclass

SEARCH = """
PREFIX kg: <http://example.org/kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?sentence ?text ?title ?date ?start WHERE {
  ?sentence a kg:Sentence ; kg:text ?text ; kg:inDocument ?doc ; kg:charStart ?start .
  FILTER (%s)
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:date ?date }
} ORDER BY DESC(?date) ?title ?start
"""

NAMED = """
PREFIX kg: <http://example.org/kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?sentence ?label WHERE {
  ?sentence kg:text ?text ; kg:inDocument ?doc .
  ?entity kg:mentionedIn ?doc ; rdfs:label ?label .
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
  FILTER (CONTAINS(STR(?text), STR(?name)))
} ORDER BY ?label
"""


@dataclass(frozen=True)
class Hit:
    text: str
    title: str
    date: str
    entities: tuple[str, ...]


def search(store, text: str, limit: int = 20) -> list[Hit]:
    """Sentences that contain every word of ``text``, newest document first, with the entities they name."""
    import pyoxigraph as ox

    words = text.split()
    if not words:
        return []
    filters = " && ".join(f"CONTAINS(LCASE(STR(?text)), ?w{i})" for i in range(len(words)))
    sparql = SEARCH % filters
    # the words are bound as literals, never pasted into the query text
    bindings = {f"w{i}": ox.Literal(w.lower()) for i, w in enumerate(words)}
    sparql = sparql.replace("SELECT ?sentence", "SELECT " + " ".join(f"?w{i}" for i in range(len(words)))
                            + " ?sentence")
    hits = []
    for row in list(store.query(sparql, bindings))[:limit]:
        names = store.query(NAMED, {"sentence": row["sentence"]})
        hits.append(Hit(row["text"].value, row["title"].value if row["title"] else "",
                        row["date"].value if row["date"] else "", tuple(r["label"].value for r in names)))
    return hits

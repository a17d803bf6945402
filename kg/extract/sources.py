"""Where a fact the article does not state comes from: the gazetteer row that says it.

A `gazetteer-hierarchy` relation (嘉兴 locatedIn 浙江) is knowledge, not evidence: the article mentions both places but
no sentence of it says the one lies in the other. Its provenance is the row of the gazetteer file that names the
parent, cited as a document of its own (``gazetteer-<file>``) whose "sentence" is that line of the file.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kg.records import Provenance, Relation, Sentence


def gazetteer_rows(folder: Path) -> dict[str, tuple[str, str, Sentence]]:
    """name -> (document id, file, the line that names it), the first row of a name winning as in
    ``kg.nlp.gazetteer.read_folder`` (domain.tsv first)."""
    rows: dict[str, tuple[str, str, Sentence]] = {}
    files = sorted(Path(folder).glob("*.tsv"), key=lambda p: (p.name != "domain.tsv", p.name))
    for path in files:
        doc_id = f"gazetteer-{path.stem}"
        source = f"{path.parent.name}/{path.name}"
        at = 0
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            name = line.split("\t", 1)[0].strip()
            if at and name:                                   # the header is no row
                rows.setdefault(name, (doc_id, source, Sentence(at, at + len(line.rstrip("\r\n")),
                                                                 line.rstrip("\r\n"))))
            at += len(line)
    return rows


def cite_rows(relations: list[Relation], rules: set[str], rows: dict[str, tuple[str, str, Sentence]]) -> list[Relation]:
    """The relations found by ``rules`` (facts the gazetteer holds) cite the row of their subject, not a sentence."""
    out = []
    for r in relations:
        row = rows.get(r.subject) if r.provenance.rule in rules else None
        if row is not None:
            doc_id, source, line = row
            r = replace(r, provenance=Provenance(doc_id, line, rule=r.provenance.rule,
                                                 confidence=r.provenance.confidence, source=source))
        out.append(r)
    return out

"""SHACL validation of a built graph: ``ontology/shapes.ttl`` over the merged view, with ``ontology/kg.ttl`` mixed in.

``validate_store(store)`` returns a ``ValidationReport`` whose violations read like sentences: the focus node by its
label, the property path, the offending value and the shape's message. pyshacl is imported on first use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from kg.errors import DataError


@dataclass(frozen=True)
class Violation:
    focus: str            # IRI (or blank node id) of the focus node
    focus_label: str      # what a person calls it
    path: str | None      # the property path, prefixed (kg:locatedIn)
    value: str | None     # the offending value, by label when it has one
    message: str
    severity: str         # Violation, Warning or Info
    component: str        # the SHACL constraint component, e.g. ClassConstraintComponent

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" -> {self.value}" if self.value else ""
        return f"{self.severity}: {self.focus_label}{where}{value}: {self.message}  [{self.focus}]"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    def summary(self) -> str:
        if self.conforms:
            return f"valid: {self.triples} triples conform to the shapes ({self.seconds:.1f} s)"
        kinds: dict[str, int] = {}
        for v in self.violations:
            kinds[v.severity] = kinds.get(v.severity, 0) + 1
        counts = ", ".join(f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items()))
        return f"not valid: {counts} in {self.triples} triples ({self.seconds:.1f} s)"


def validate_graph(data, *, ontology: Path) -> ValidationReport:
    """Validate an rdflib Graph against ``ontology``/shapes.ttl, with ``ontology``/kg.ttl mixed in (subclasses, unit
    individuals)."""
    import time

    import pyshacl
    from rdflib import Graph

    shapes, ontology = Path(ontology) / "shapes.ttl", Path(ontology) / "kg.ttl"
    if not shapes.exists():
        raise DataError(f"[E090] no SHACL shapes at {shapes}: kg validate needs ontology/shapes.ttl")
    started = time.perf_counter()
    shape_graph = Graph().parse(shapes, format="turtle")
    ont_graph = Graph().parse(ontology, format="turtle") if ontology.exists() else None
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shape_graph, ont_graph=ont_graph, inference="none",
                                            advanced=True, allow_warnings=True)
    report = ValidationReport(bool(conforms), _violations(results, data), len(data),
                              time.perf_counter() - started)
    report.conforms = not report.errors
    return report


def validate_store(store, *, ontology: Path) -> ValidationReport:
    """Validate the merged view of a ``GraphStore`` against ``ontology``'s shapes."""
    return validate_graph(store.rdflib_graph(), ontology=ontology)


def _violations(results, data) -> list[Violation]:
    from rdflib.namespace import SH

    out = []
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = sorted({str(m) for m in results.objects(result, SH.resultMessage)})
        component = results.value(result, SH.sourceConstraintComponent)
        severity = results.value(result, SH.resultSeverity)
        out.append(Violation(
            focus=_short(data, focus), focus_label=describe(data, focus),
            path=_short(data, path) if path is not None else None,
            value=describe(data, value) if value is not None and value != focus else None,
            message="; ".join(messages) or _local(component),
            severity=_local(severity), component=_local(component),
        ))
    return sorted(out, key=lambda v: (v.severity != "Violation", v.message, v.focus_label, v.path or "", v.value or ""))


def describe(data, node) -> str:
    """A node as a person would name it: its label, a document's title, a sentence's text, what evidence supports."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import DCTERMS, RDF, RDFS

    from kg.vocab import KG

    if isinstance(node, Literal):
        return repr(str(node)) if len(str(node)) <= 60 else repr(str(node)[:57] + "...")
    label = data.value(node, RDFS.label)
    if label is not None:
        return str(label)
    title = data.value(node, DCTERMS.title)
    if title is not None:
        return f"document {str(title)!r}"
    text = data.value(node, KG.text)
    if text is not None:
        return f"sentence {describe(data, text)}"
    subject = data.value(node, RDF.subject)
    if subject is not None:
        return (f"evidence for {describe(data, subject)} {_short(data, data.value(node, RDF.predicate))} "
                f"{describe(data, data.value(node, RDF.object))}")
    if isinstance(node, URIRef):
        return _short(data, node)
    return str(node)


def _short(data, node) -> str:
    from rdflib import URIRef

    from kg.vocab import ID_NS

    if not isinstance(node, URIRef):
        return str(node)
    text = str(node)
    if text.startswith(str(ID_NS)):
        return "id:" + unquote(text[len(str(ID_NS)):])
    try:
        return data.namespace_manager.normalizeUri(node)
    except Exception:   # noqa: BLE001 (rdflib raises several kinds for IRIs it cannot shorten)
        return f"<{text}>"


def _local(term) -> str:
    if term is None:
        return ""
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

"""``kg info``: what kg runs on (versions, models, optional features) and, for a graph folder, what it holds.

Like ``spacy info``, it answers "is my install complete?" without loading the pipeline: versions come from the
installed packages' metadata, optional packages are found without importing them, and a graph folder is opened
read-only (so ``kg info`` works while ``kg serve`` or a build holds the store).
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kg.errors import KGError, no_graph

# the packages whose versions decide how kg behaves (distribution names)
CORE_PACKAGES = ("spacy", "spacy-pkuseg", "pyoxigraph", "rdflib", "numpy")
# optional feature -> the distributions it needs (none of them is installed with kg itself)
OPTIONAL_FEATURES = {
    "kg build --dask (a Dask cluster)": ("dask", "distributed"),
    "kg validate, kg build --validate (SHACL)": ("pyshacl",),
    "charts in the notebooks": ("matplotlib",),
    "browser tests (headless Chromium)": ("playwright",),
    "retraining the NER model (training/train_ner.py)": ("torch",),
}
FEATURE_PROGRAMS = {"browser tests (headless Chromium)": ("chromium",)}   # feature -> programs it runs
# what each count of a graph folder counts: printed next to it, and the keys of the JSON output
COUNT_MEANINGS = {
    "documents": "documents (articles and curated fact files; one named graph each)",
    "triples": "facts: triples in the merged view of the documents' graphs (what kg export and graph.ttl hold; "
               "the build summary's 'facts')",
    "ontology_triples": "triples in the ontology graph (ontology/kg.ttl as loaded into the store)",
    "query_triples": "triples a kg query COUNT(*) sees (the merged view and the ontology)",
}


def version(distribution: str) -> str | None:
    """The installed version of ``distribution``, None when it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed(distribution: str) -> bool:
    return version(distribution) is not None


@dataclass
class Feature:
    name: str
    packages: dict[str, str | None]   # distribution -> its version, None when missing
    programs: dict[str, str | None] = field(default_factory=dict)   # program -> its path, None when missing

    @property
    def available(self) -> bool:
        return all(self.packages.values()) and all(self.programs.values())


@dataclass
class GraphInfo:
    folder: str
    documents: int
    triples: int
    ontology_triples: int
    query_triples: int
    last_written: str | None        # ISO time, UTC
    last_written_by: str | None     # the file whose modification time it is


@dataclass
class Info:
    versions: dict[str, str | None]
    pkuseg_model: str
    pkuseg_model_present: bool
    ner_model: dict[str, bool]      # file of the trained NER model -> present
    ontology: str
    ontology_present: bool
    features: list[Feature] = field(default_factory=list)
    graph: GraphInfo | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["features"] = [{"name": f.name, "packages": f.packages, "programs": f.programs, "available": f.available}
                            for f in self.features]
        if self.graph is not None:
            data["graph"]["counts"] = COUNT_MEANINGS
        return data


def environment_info(ontology: Path | None = None) -> Info:
    """Versions, model paths and optional features; nothing is loaded or imported to find them. ``ontology``: the
    folder to report on (default ``kg.paths.ontology_dir``)."""
    from kg.nlp.segmenter import MODEL_FILES, model_path
    from kg.paths import ontology_dir

    pkuseg = model_path()
    ontology = ontology_dir(ontology) / "kg.ttl"
    versions = {"kg": version("kg"), "python": platform.python_version()}
    versions.update({name: version(name) for name in CORE_PACKAGES})
    features = [Feature(name, {dist: version(dist) for dist in dists},
                        {program: shutil.which(program) for program in FEATURE_PROGRAMS.get(name, ())})
                for name, dists in OPTIONAL_FEATURES.items()]
    return Info(versions, str(pkuseg), all((pkuseg / name).is_file() for name in MODEL_FILES),
                {str(path): path.is_file() for path in ner_model_files()}, str(ontology), ontology.is_file(), features)


def ner_model_files() -> list[Path]:
    """The files of the trained NER model that ships inside kg (kg/models/msra_ner)."""
    model_dir = Path(__file__).resolve().parent / "models" / "msra_ner"
    return [model_dir / name for name in ("weights.npz", "vocab.json.gz", "lexicon.txt.gz")]


def graph_info(folder: Path) -> GraphInfo:
    """What the graph in ``folder`` holds, read from a read-only view of its store."""
    import pyoxigraph as ox

    from kg.graph.rdf import GRAPH_PREFIX
    from kg.graph.store import ONTOLOGY_GRAPH, PREFIXES

    folder = Path(folder)
    if not (folder / "store").is_dir():
        raise no_graph(folder)
    stamp, stamped_by = _last_written(folder)
    try:
        db = ox.Store.read_only(str(folder / "store"))
    except OSError as error:
        raise KGError(f"[E086] cannot read the graph in {folder}: {error}") from None
    documents = sum(1 for g in db.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX))

    def count(default_graph) -> int:
        answer = db.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", prefixes=PREFIXES, default_graph=default_graph)
        return int(next(iter(answer))["n"].value)

    return GraphInfo(str(folder), documents, count(ox.DefaultGraph()), count(ONTOLOGY_GRAPH),
                     count([ox.DefaultGraph(), ONTOLOGY_GRAPH]), stamp, stamped_by)


def _last_written(folder: Path) -> tuple[str | None, str | None]:
    """When the graph last changed: graph.ttl is rewritten by every kg build, kg remove and kg add-facts (the store's
    own files are not a clock: opening the store for a query touches them)."""
    path = folder / "graph.ttl"
    if not path.is_file():
        return None, None
    when = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    return when.isoformat(timespec="seconds"), str(path)


def info(folder: Path | None = None) -> Info:
    result = environment_info()
    if folder is not None:
        result.graph = graph_info(folder)
    return result


def format_info(result: Info) -> str:
    """The text ``kg info`` prints: aligned ``name  value`` lines in sections."""
    lines = ["kg " + (result.versions.get("kg") or "(not installed)")]
    lines += [f"  {name:<13}{value or 'not installed'}" for name, value in result.versions.items() if name != "kg"]
    lines.append("models and data")
    lines.append(f"  pkuseg model {result.pkuseg_model} "
                 + ("(present)" if result.pkuseg_model_present else "(MISSING: run kg fetch-model)"))
    for path, present in result.ner_model.items():
        lines.append(f"  NER model    {path} " + ("(present)" if present else "(MISSING)"))
    lines.append(f"  ontology     {result.ontology} " + ("(present)" if result.ontology_present else "(MISSING)"))
    lines.append("optional features")
    for feature in result.features:
        packages = ", ".join([f"{d} {v}" if v else f"{d} missing" for d, v in feature.packages.items()]
                             + [f"{p} at {v}" if v else f"{p} missing" for p, v in feature.programs.items()])
        lines.append(f"  [{'x' if feature.available else ' '}] {feature.name}: {packages}")
    if result.graph is not None:
        g = result.graph
        lines.append(f"graph {g.folder}")
        for key in COUNT_MEANINGS:
            lines.append(f"  {getattr(g, key):>9,}  {COUNT_MEANINGS[key]}")
        lines.append(f"  last written {g.last_written} ({g.last_written_by})" if g.last_written
                     else "  last written: unknown (no graph.ttl)")
    return "\n".join(lines)

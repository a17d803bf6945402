"""kg's benchmark: throughput per stage, parallel speed-up, memory, and SPARQL latency at about a million triples.

    .venv/bin/python bench/run.py                 # defaults: 300 articles, 1M-triple SPARQL graph
    .venv/bin/python bench/run.py --articles 100 --triples 200000   # a quick run
    .venv/bin/python bench/run.py --articles 80 --stages-only       # per-stage throughput only (no builds, no SPARQL)
    .venv/bin/python bench/run.py --no-model                        # rules and gazetteer only, as `kg build --no-model`

Prints a table and writes bench/results/latest.json (with the machine description). Timing goals are read off these
figures; no test asserts a wall-clock time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.corpus import generate  # noqa: E402


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def stage_throughput(corpus: Path, *, statistical: bool = True) -> dict:
    from kg.extract import Extractor
    from kg.graph.rdf import extraction_triples
    from kg.graph.store import GraphStore
    from kg.ingest import read_articles
    from kg.nlp.pipeline import load_pipeline
    from kg.records import Article

    nlp, startup = timed(lambda: load_pipeline(statistical=statistical))
    extractor = Extractor.load(nlp.get_pipe("kg_entities").gazetteer)
    articles, t_ingest = timed(lambda: [a for a in read_articles([str(corpus)]) if isinstance(a, Article)])
    chars = sum(len(a.text) for a in articles)
    segmenter = nlp.tokenizer.pkuseg_seg
    _, t_segment = timed(lambda: [segmenter.cut(a.text) for a in articles])
    # the pipeline one step at a time, so each component's share shows: make_doc is the segmenter behind spaCy's Doc
    docs, t_doc = timed(lambda: [nlp.make_doc(a.text) for a in articles])
    t_components = {}
    for name, component in nlp.pipeline:
        docs, t_components[name] = timed(lambda: [component(d) for d in docs])
    t_nlp = t_doc + sum(t_components.values())
    extractions, t_extract = timed(lambda: [extractor(d, a) for d, a in zip(docs, articles)])
    with tempfile.TemporaryDirectory() as tmp:
        store = GraphStore(Path(tmp))

        def write():
            for ex in extractions:
                store.replace_document(ex.article.doc_id, extraction_triples(ex))
            store.flush()
            return store.export(Path(tmp) / "graph.ttl")

        triples, t_store = timed(write)
        # SHACL validation is not part of "ingest to stored RDF"; kg build runs it by itself on small graphs
        from kg.graph.validate import validate_store

        _, t_validate = timed(validate_store, store)
        del store   # closes the database before its folder goes
    whole = t_ingest + t_nlp + t_extract + t_store
    return {
        "articles": len(articles), "chars": chars, "triples": triples, "startup_s": startup,
        "chars_per_s": {
            "ingest": chars / t_ingest, "segmentation_only": chars / t_segment, "nlp_pipeline": chars / t_nlp,
            "  make_doc": chars / t_doc, **{f"  {name}": chars / t for name, t in t_components.items()},
            "extraction": chars / t_extract, "store_and_turtle": chars / t_store, "whole_build": chars / whole,
        },
        "validation_chars_per_s": chars / t_validate,
        "whole_vs_segmentation": (chars / whole) / (chars / t_segment),
        "peak_rss_mb": peak_rss_mb(),
    }


def cli_build(corpus: Path, jobs: int, *, statistical: bool = True) -> dict:
    """One whole `kg build --no-validate` in a fresh process: wall time and that process tree's peak memory.
    (Validation is one pass at the end, in one process: it would hide the speed-up of the parallel extraction.)"""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c",
               "import resource,sys,time; from kg.build import build; t=time.perf_counter();"
               f"r=build([{str(corpus)!r}], {tmp!r}, jobs={jobs}, explorer=False, validate=False, "
               f"statistical={statistical});"
               "print(time.perf_counter()-t, r.chars, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    seconds, chars, rss_self, rss_children = float(out[0]), int(out[1]), int(out[2]), int(out[3])
    return {"jobs": jobs, "seconds": seconds, "chars_per_s": chars / seconds,
            "peak_rss_mb_main": rss_self / 1024, "peak_rss_mb_worker": rss_children / 1024}


def named_queries() -> dict[str, str]:
    from kg.paths import ontology_dir

    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ontology_dir() / "queries").glob("*.rq"))}


def params_of(text: str) -> list[str]:
    line = next((l for l in text.splitlines() if l.startswith("# params:")), "")
    return re.findall(r"\?(\w+)", line.split("(")[0])


def sparql_latency(corpus: Path, target_triples: int, repeats: int) -> dict:
    """Replicate a built graph (renaming every instance IRI per copy) to about ``target_triples``; time named queries."""
    import pyoxigraph as ox
    import rdflib

    from kg.build import build
    from kg.vocab import ID_NS

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        build([str(corpus)], Path(tmp) / "g", explorer=False)
        base = ox.Store(str(Path(tmp) / "g" / "store"))
        quads = list(base.quads_for_pattern(None, None, None))
        del base
    prefix = str(ID_NS)

    def rename(term, k):
        if isinstance(term, ox.DefaultGraph):
            return term
        if isinstance(term, ox.NamedNode) and term.value.startswith(prefix):
            return ox.NamedNode(f"{term.value}~{k}")
        return term

    copies = max(1, round(target_triples / len(quads)))
    store = ox.Store()
    for k in range(copies):
        store.extend(ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k), rename(q.graph_name, k))
                     for q in quads)
    triples = len(store)
    hub = next(iter(store.query("PREFIX kg: <http://example.org/kg/ontology#> SELECT ?e (COUNT(*) AS ?n) "
                                "WHERE { ?e kg:mentionedIn ?d } GROUP BY ?e ORDER BY DESC(?n) LIMIT 1")))["e"]
    binding_values = {"entity": hub, "place": hub, "subject": hub, "cls": ox.NamedNode(
        "http://example.org/kg/ontology#City")}
    graph = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        graph.add((_rd(q.subject), _rd(q.predicate), _rd(q.object)))
    results = {}
    for name, text in named_queries().items():
        subs = {ox.Variable(p): binding_values[p] for p in params_of(text) if p in binding_values}
        ox_times = []
        for _ in range(repeats):
            start = time.perf_counter()
            list(store.query(text, substitutions=subs))
            ox_times.append(time.perf_counter() - start)
        rd_bind = {rdflib.Variable(k.value): _rd(v) for k, v in subs.items()}
        rd_times = []
        for _ in range(max(1, repeats // 3)):
            start = time.perf_counter()
            list(graph.query(text, initBindings=rd_bind))
            rd_times.append(time.perf_counter() - start)
        results[name] = {"oxigraph_median_ms": 1000 * statistics.median(ox_times),
                         "rdflib_median_ms": 1000 * statistics.median(rd_times)}
    return {"triples": triples, "queries": results}


def _rd(term):
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.BNode(term.value)


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "memory_gb": round(mem, 1), "processor": platform.processor() or platform.machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--no-model", dest="statistical", action="store_false",
                        help="leave out the statistical NER layer, as `kg build --no-model`")
    parser.add_argument("--stages-only", action="store_true",
                        help="per-stage throughput only: no whole builds, no SPARQL (a quick run while tuning)")
    args = parser.parse_args()

    result = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M"), "statistical": args.statistical}
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small", Path(tmp) / "large"
        generate(args.articles, small)
        result["stages"] = stage_throughput(small, statistical=args.statistical)
        if not args.stages_only:
            generate(args.articles * 2, large, seed=11)
            result["build"] = [cli_build(large, 1, statistical=args.statistical),
                               cli_build(large, 2, statistical=args.statistical)]
            result["build_speedup_2_jobs"] = result["build"][0]["seconds"] / result["build"][1]["seconds"]
            result["memory_growth"] = {"articles": [args.articles, args.articles * 2],
                                       "peak_rss_mb": [cli_build(small, 1, statistical=args.statistical)[
                                           "peak_rss_mb_main"], result["build"][0]["peak_rss_mb_main"]]}
            result["sparql"] = sparql_latency(small, args.triples, args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(result))


def report(r: dict) -> str:
    s = r["stages"]
    lines = [f"machine: {r['machine']}", "",
             f"corpus: {s['articles']} synthetic articles, {s['chars']} chars; pipeline start-up {s['startup_s']:.1f} s"
             + ("" if r.get("statistical", True) else " (no statistical NER)"),
             "stage                 chars/s"]
    lines += [f"  {k:<20}{v:>10,.0f}" for k, v in s["chars_per_s"].items()]
    lines.append(f"whole build / segmentation alone: {s['whole_vs_segmentation']:.2f} (goal >= 0.5)")
    lines.append(f"SHACL validation, not in the whole build: {s['validation_chars_per_s']:,.0f} chars/s")
    if "build" not in r:
        return "\n".join(lines)
    for b in r["build"]:
        lines.append(f"kg build --no-validate --jobs {b['jobs']}: {b['seconds']:.1f} s, {b['chars_per_s']:,.0f} chars/s, "
                     f"peak RSS main {b['peak_rss_mb_main']:.0f} MB, largest worker {b['peak_rss_mb_worker']:.0f} MB")
    lines.append(f"speed-up with 2 jobs: {r['build_speedup_2_jobs']:.2f}x (goal >= 1.7x)")
    m = r["memory_growth"]
    lines.append(f"peak RSS at {m['articles'][0]} vs {m['articles'][1]} articles: "
                 f"{m['peak_rss_mb'][0]:.0f} MB vs {m['peak_rss_mb'][1]:.0f} MB")
    lines.append(f"SPARQL on {r['sparql']['triples']:,} triples (median ms)   oxigraph     rdflib")
    for name, q in r["sparql"]["queries"].items():
        lines.append(f"  {name:<30}{q['oxigraph_median_ms']:>10.1f} {q['rdflib_median_ms']:>10.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""kg's benchmark: throughput per stage, parallel speed-up, memory, and SPARQL latency at about a million triples.

    .venv/bin/python bench/run.py                 # defaults: 300 articles (builds: 600), with and without the
                                                  # statistical NER layer, 1M-triple SPARQL graph
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
        # as nlp.pipe runs it (kg build does): a component with a pipe method takes several Docs at a time
        if hasattr(component, "pipe"):
            docs, t_components[name] = timed(lambda: list(component.pipe(docs)))
        else:
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
    The process's own peak is its VmHWM (ru_maxrss would start from this process's size, carried over by fork+exec).
    (Validation is one pass at the end, in one process: it would hide the speed-up of the parallel extraction.)

    Besides the wall time: when the first document was stored (start-up: imports, the model loaded in every worker,
    the first batch), and the time from the last one to the end (the ontology and graph.ttl, written once)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c",
               "import resource,sys,time; from kg.build import build; t=time.perf_counter(); times=[];"
               "log=lambda line: times.append(time.perf_counter()) if line.startswith('built ') else None;"
               f"r=build([{str(corpus)!r}], {tmp!r}, jobs={jobs}, explorer=False, validate=False, "
               f"statistical={statistical}, log=log);"
               "end=time.perf_counter();"
               "hwm=next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1];"
               "print(end-t, r.chars, hwm,"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, times[0]-t, end-times[-1], len(times))"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()
    seconds, chars, rss_self, rss_children = float(out[0]), int(out[1]), int(out[2]), int(out[3])
    first, tail, documents = float(out[4]), float(out[5]), int(out[6])
    return {"jobs": jobs, "seconds": seconds, "chars_per_s": chars / seconds, "documents": documents,
            "first_document_s": first, "after_last_document_s": tail,
            "peak_rss_mb_main": rss_self / 1024, "peak_rss_mb_worker": rss_children / 1024}


def named_queries() -> dict[str, str]:
    from kg.paths import ontology_dir

    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ontology_dir() / "queries").glob("*.rq"))}


def params_of(text: str) -> list[str]:
    line = next((l for l in text.splitlines() if l.startswith("# params:")), "")
    return re.findall(r"\?(\w+)", line.split("(")[0])


def sparql_latency(corpus: Path, target_triples: int, repeats: int) -> dict:
    """Replicate a built graph (renaming every instance IRI per copy) until its merged view holds about
    ``target_triples``; time the named queries as kg runs them (merged view and ontology as the default graph) on the
    embedded on-disk store, and with rdflib on an in-memory Graph holding the same triples."""
    import pyoxigraph as ox
    import rdflib

    from kg.build import build
    from kg.graph.store import ONTOLOGY_GRAPH, bound
    from kg.vocab import ID_NS

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        build([str(corpus)], Path(tmp) / "g", explorer=False, validate=False)
        base = ox.Store(str(Path(tmp) / "g" / "store"))
        quads = list(base.quads_for_pattern(None, None, None))
        del base
    prefix = str(ID_NS)

    def rename(term, k):
        if isinstance(term, ox.NamedNode) and term.value.startswith(prefix):
            return ox.NamedNode(f"{term.value}~{k}")
        return term

    merged = sum(1 for q in quads if isinstance(q.graph_name, ox.DefaultGraph))
    copies = max(1, round(target_triples / merged))
    default = [ox.DefaultGraph(), ONTOLOGY_GRAPH]
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store = ox.Store(str(Path(tmp) / "store"))
        start = time.perf_counter()
        for k in range(copies):
            store.bulk_extend(ox.Quad(rename(q.subject, k), q.predicate, rename(q.object, k),
                                      rename(q.graph_name, k)) for q in quads)
        store.flush()
        load_s = time.perf_counter() - start
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        triples = int(next(iter(store.query(count, default_graph=default)))["n"].value)
        hub = next(iter(store.query(
            "PREFIX kg: <http://example.org/kg/ontology#> SELECT ?e (COUNT(*) AS ?n) WHERE { ?e kg:mentionedIn ?d } "
            "GROUP BY ?e ORDER BY DESC(?n) LIMIT 1")))["e"]
        binding_values = {"entity": hub, "place": hub, "subject": hub,
                          "cls": ox.NamedNode("http://example.org/kg/ontology#Place")}
        graph = rdflib.Graph()
        for g in default:
            for q in store.quads_for_pattern(None, None, None, g):
                graph.add((_rd(q.subject), _rd(q.predicate), _rd(q.object)))
        results = {}
        for name, text in named_queries().items():
            values = {p: binding_values[p] for p in params_of(text) if p in binding_values}
            as_run, subs = bound(text, values)          # bound as kg binds them (a VALUES block)
            ox_times, rows = [], 0
            while len(ox_times) < (repeats if sum(ox_times) < 3 else 3):   # fewer runs of a query that takes seconds
                start = time.perf_counter()
                rows = len(list(store.query(as_run, substitutions=subs, default_graph=default)))
                ox_times.append(time.perf_counter() - start)
            rd_bind = {rdflib.Variable(k): _rd(v) for k, v in values.items()}
            rd_times = []
            for _ in range(max(1, repeats // 3)):
                seconds = _rdflib_seconds(graph, text, rd_bind, RDFLIB_LIMIT_S)
                if seconds is None:
                    break
                rd_times.append(seconds)
            results[name] = {"rows": rows, "oxigraph_median_ms": 1000 * statistics.median(ox_times),
                             "rdflib_median_ms": 1000 * statistics.median(rd_times) if rd_times else None,
                             "oxigraph_runs": len(ox_times), "rdflib_runs": len(rd_times)}
        del store
    return {"triples": triples, "copies": copies, "load_s": load_s, "queries": results}


RDFLIB_LIMIT_S = 60


def _rdflib_seconds(graph, text: str, bindings: dict, limit: float) -> float | None:
    """One rdflib query in a forked process (it shares the graph), stopped after ``limit`` s: None then."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target():
        start = time.perf_counter()
        list(graph.query(text, initBindings=bindings))
        send.send(time.perf_counter() - start)

    process = context.Process(target=target)
    process.start()
    seconds = receive.recv() if receive.poll(limit) else None
    process.kill()
    process.join()
    return seconds


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


def run(small: Path, large: Path, *, statistical: bool, stages_only: bool) -> dict:
    """Stage throughput on ``small``; whole builds of ``large`` in one and two processes; peak memory at both sizes."""
    result = {"stages": stage_throughput(small, statistical=statistical)}
    if stages_only:
        return result
    one, two = cli_build(large, 1, statistical=statistical), cli_build(large, 2, statistical=statistical)
    result["build"] = [one, two]
    result["build_speedup_2_jobs"] = one["seconds"] / two["seconds"]
    # the same, leaving out what each build does once whatever the corpus (start-up, the ontology and graph.ttl)
    result["build_speedup_2_jobs_between_first_and_last_document"] = (
        (one["seconds"] - one["first_document_s"] - one["after_last_document_s"])
        / (two["seconds"] - two["first_document_s"] - two["after_last_document_s"]))
    result["memory_growth"] = {"articles": [len(list(small.iterdir())), len(list(large.iterdir()))],
                               "peak_rss_mb": [cli_build(small, 1, statistical=statistical)["peak_rss_mb_main"],
                                               one["peak_rss_mb_main"]]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300,
                        help="articles for the stage figures; the builds run on twice as many")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--model", choices=("both", "with", "without"), default="both",
                        help="run with the statistical NER layer, without it (as `kg build --no-model`), or both")
    parser.add_argument("--no-model", dest="model", action="store_const", const="without",
                        help="the same as --model without")
    parser.add_argument("--stages-only", action="store_true",
                        help="per-stage throughput only: no whole builds, no SPARQL (a quick run while tuning)")
    parser.add_argument("--no-sparql", action="store_true", help="leave out the SPARQL latency figures")
    parser.add_argument("--sparql-only", action="store_true", help="only the SPARQL latency figures")
    args = parser.parse_args()

    result = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "command": " ".join([Path(sys.executable).name, *sys.argv]), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        small, large, base = Path(tmp) / "small", Path(tmp) / "large", Path(tmp) / "sparql"
        if not args.sparql_only:
            generate(args.articles, small)
        if not (args.stages_only or args.sparql_only):
            generate(args.articles * 2, large, seed=11)
        for name, statistical in (("with_model", True), ("without_model", False)):
            if args.model in ("both", name.split("_")[0]) and not args.sparql_only:
                result["runs"][name] = run(small, large, statistical=statistical, stages_only=args.stages_only)
                print(report_run(name, result["runs"][name]), flush=True)
        if not (args.stages_only or args.no_sparql):
            generate(min(args.articles, 100), base, seed=13)
            result["sparql"] = sparql_latency(base, args.triples, args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print(report(result))


def report(r: dict) -> str:
    lines = [f"machine: {r['machine']}", f"when: {r['when']}; command: {r.get('command', '')}"]
    for name, run_result in r["runs"].items():
        lines += ["", report_run(name, run_result)]
    if "sparql" in r:
        q = r["sparql"]
        lines += ["", f"SPARQL on {q['triples']:,} triples (merged view and ontology; median ms)  oxigraph (on disk)"
                      "  rdflib (in memory)"]
        for name, times in q["queries"].items():
            rd = times["rdflib_median_ms"]
            lines.append(f"  {name:<30}{times['oxigraph_median_ms']:>12.1f} "
                         + (f"{rd:>12.1f}" if rd is not None else f"{'> ' + str(RDFLIB_LIMIT_S * 1000):>12}"))
    return "\n".join(lines)


def report_run(name: str, r: dict) -> str:
    s = r["stages"]
    lines = [f"== {name.replace('_', ' ')}",
             f"corpus: {s['articles']} synthetic articles, {s['chars']} chars; pipeline start-up {s['startup_s']:.1f} s",
             "stage                 chars/s"]
    lines += [f"  {k:<20}{v:>10,.0f}" for k, v in s["chars_per_s"].items()]
    lines.append(f"whole build / segmentation alone: {s['whole_vs_segmentation']:.2f} (goal >= 0.5)")
    lines.append(f"SHACL validation, not in the whole build: {s['validation_chars_per_s']:,.0f} chars/s")
    if "build" not in r:
        return "\n".join(lines)
    for b in r["build"]:
        lines.append(f"kg build --no-validate --jobs {b['jobs']} ({b['documents']} documents): {b['seconds']:.1f} s, "
                     f"{b['chars_per_s']:,.0f} chars/s; first document stored at {b['first_document_s']:.1f} s, "
                     f"{b['after_last_document_s']:.1f} s after the last; peak RSS main {b['peak_rss_mb_main']:.0f} MB,"
                     f" largest worker {b['peak_rss_mb_worker']:.0f} MB")
    lines.append(f"speed-up with 2 jobs: {r['build_speedup_2_jobs']:.2f}x (goal >= 1.7x); between the first and the "
                 f"last document: {r['build_speedup_2_jobs_between_first_and_last_document']:.2f}x")
    m = r["memory_growth"]
    lines.append(f"peak RSS of one job at {m['articles'][0]} vs {m['articles'][1]} articles: "
                 f"{m['peak_rss_mb'][0]:.0f} MB vs {m['peak_rss_mb'][1]:.0f} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

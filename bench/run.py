"""kg's benchmark: what a user gets from `kg build`, against pkuseg alone on the same text, in the same run.

    .venv/bin/python bench/run.py                   # 850 articles (>= 1M characters): pkuseg alone, `kg build
                                                    # --jobs 1` and `--jobs 2` (each the median of 3), with the NER
                                                    # model; then the 1M-triple SPARQL latencies
    .venv/bin/python bench/run.py --articles 100 --repeats 1 --no-sparql   # a quick run
    .venv/bin/python bench/run.py --memory          # also peak memory of one job at 400 and 1,600 articles
    .venv/bin/python bench/run.py --stages          # also throughput per stage, in this process (where time goes)
    .venv/bin/python bench/run.py --model both      # with and without the NER model (`kg build --no-model`)

Run it as a user runs kg: no thread variables (OPENBLAS_NUM_THREADS and the like) in the environment; the builds
are `python -m kg.cli build` processes. On a shared machine absolute figures move with the load (printed, from
`os.getloadavg`, before and after): read the ratios, measured in one run. Prints a table and writes
bench/results/latest.json (with the machine description). No test asserts a wall-clock time.
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
    from kg.paths import ontology_dir
    from kg.records import Article

    nlp, startup = timed(lambda: load_pipeline(statistical=statistical))
    extractor = Extractor.load(nlp.get_pipe("kg_entities").gazetteer, ontology_dir())
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

        _, t_validate = timed(lambda: validate_store(store, ontology=ontology_dir()))
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


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def user_environment() -> dict[str, str]:
    """This process's environment without thread variables: kg as a user runs it (the default threads)."""
    return {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}


def median_of(repeats: int, measure) -> tuple[float, list[float]]:
    runs = [measure() for _ in range(repeats)]
    return statistics.median(runs), runs


def pkuseg_alone(corpus: Path, repeats: int) -> dict:
    """pkuseg (with kg's model and user words, as kg's pipeline loads it) cutting every article kg reads in
    ``corpus``: the baseline, seconds without loading."""
    from kg.ingest import read_articles
    from kg.nlp.pipeline import load_pipeline
    from kg.records import Article

    segmenter = load_pipeline(statistical=False).tokenizer.pkuseg_seg
    texts = [a.text for a in read_articles([str(corpus)]) if isinstance(a, Article)]
    chars = sum(map(len, texts))
    seconds, runs = median_of(repeats, lambda: timed(lambda: [segmenter.cut(t) for t in texts])[1])
    return {"chars": chars, "seconds": seconds, "runs_s": runs, "chars_per_s": chars / seconds}


_SUMMARY = re.compile(r"built (\d+) documents.* (\d+) characters in ([\d.]+) s")


def kg_build(corpus: Path, jobs: int, *, statistical: bool = True) -> dict:
    """One `python -m kg.cli build --no-validate` process, as a user runs it: wall time (start-up included) and the
    peak memory of the largest process of its tree (the builder, or a worker). Validation is left out: it is one pass
    at the end in one process, and `kg build` skips it by itself on big graphs."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(Path(tmp) / "out"), "--quiet",
               "--no-validate", "--jobs", str(jobs)] + ([] if statistical else ["--no-model"])
        # a wrapper process, so RUSAGE_CHILDREN is this build's tree alone
        wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                   "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                   "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                   "print(p.stdout); print(p.stderr, file=sys.stderr); sys.exit(p.returncode)")
        done = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True,
                              env=user_environment(), cwd=HERE.parent)
    if done.returncode:
        raise SystemExit(f"kg build failed:\n{done.stdout}\n{done.stderr}")
    first, *rest = done.stdout.splitlines()
    seconds, rss = float(first.split()[0]), int(first.split()[1])
    summary = _SUMMARY.search("\n".join(rest))
    documents, chars = int(summary.group(1)), int(summary.group(2))
    return {"jobs": jobs, "seconds": seconds, "chars": chars, "documents": documents, "chars_per_s": chars / seconds,
            "kg_reported_s": float(summary.group(3)), "peak_rss_mb": rss / 1024}


def builds(corpus: Path, repeats: int, *, statistical: bool) -> dict:
    """`kg build --jobs 1` and `--jobs 2`, each the median of ``repeats`` runs (by wall time)."""
    out = {}
    for jobs in (1, 2):
        runs = [kg_build(corpus, jobs, statistical=statistical) for _ in range(repeats)]
        median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        out[f"jobs_{jobs}"] = {**median, "runs_s": [r["seconds"] for r in runs]}
    out["speedup_2_jobs"] = out["jobs_1"]["seconds"] / out["jobs_2"]["seconds"]
    return out


def memory_growth(sizes=(400, 1600), *, statistical: bool) -> dict:
    """Peak memory of one `kg build --jobs 1` at each corpus size (one run each)."""
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            generate(count, Path(tmp) / str(count), seed=17)
            peaks[count] = kg_build(Path(tmp) / str(count), 1, statistical=statistical)["peak_rss_mb"]
    return {"articles": list(sizes), "peak_rss_mb": [peaks[c] for c in sizes],
            "growth": peaks[sizes[-1]] / peaks[sizes[0]] - 1}


def model_alone(corpus: Path, repeats: int) -> dict:
    """The NER model by itself (CharTagger.many, 8 articles a call as kg build passes them), median of ``repeats``."""
    from kg.ingest import read_articles
    from kg.nlp.charner import CharTagger
    from kg.nlp.statistical import MODEL_DIR
    from kg.records import Article

    model = CharTagger.load(MODEL_DIR)
    texts = [a.text for a in read_articles([str(corpus)]) if isinstance(a, Article)]
    chars = sum(map(len, texts))
    seconds, runs = median_of(repeats, lambda: timed(
        lambda: [model.many(texts[i:i + 8]) for i in range(0, len(texts), 8)])[1])
    return {"chars": chars, "seconds": seconds, "runs_s": runs, "chars_per_s": chars / seconds}


def named_queries() -> dict[str, str]:
    from kg.paths import ontology_dir

    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((ontology_dir() / "queries").glob("*.rq"))}


def params_of(text: str) -> list[str]:
    """The parameters the bench binds: the required ones, and those of an ``(optional: ?subject …)`` list (provenance
    is asked about one entity, as the explorer asks); a listing's ``(none; bind ?x for one)`` stays unbound."""
    line = next((l for l in text.splitlines() if l.startswith("# params:")), "")
    optional = re.search(r"\(optional:([^)]*)\)", line)
    return re.findall(r"\?(\w+)", line.split("(")[0]) + (re.findall(r"\?(\w+)", optional.group(1)) if optional else [])


PAGE = 100   # a listing query is timed whole and as its first page (kg query --name NAME --limit 100)


def is_listing(text: str) -> bool:
    return "# params: (none; bind" in text


def sparql_latency(corpus: Path, target_triples: int, repeats: int) -> dict:
    """Replicate a built graph (renaming every instance IRI per copy) until its merged view holds about
    ``target_triples``; time the named queries as kg runs them (merged view and ontology as the default graph) on the
    embedded on-disk store, and with rdflib on an in-memory Graph holding the same triples."""
    import pyoxigraph as ox
    import rdflib

    from kg.build import build
    from kg.graph.query import paged
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
            ox_times, cpu_times, rows = [], [], 0
            while len(ox_times) < (repeats if sum(ox_times) < 3 else 3):   # fewer runs of a query that takes seconds
                start, cpu = time.perf_counter(), time.process_time()
                rows = len(list(store.query(as_run, substitutions=subs, default_graph=default)))
                ox_times.append(time.perf_counter() - start)
                cpu_times.append(time.process_time() - cpu)   # this process's CPU: less moved by other processes
            if is_listing(text):
                page, page_times = paged(as_run, PAGE), []
                for _ in range(3):
                    start = time.perf_counter()
                    list(store.query(page, substitutions=subs, default_graph=default))
                    page_times.append(time.perf_counter() - start)
            rd_bind = {rdflib.Variable(k): _rd(v) for k, v in values.items()}
            rd_times = []
            for _ in range(max(1, repeats // 3)):
                seconds = _rdflib_seconds(graph, text, rd_bind, RDFLIB_LIMIT_S)
                if seconds is None:
                    break
                rd_times.append(seconds)
            results[name] = {"rows": rows, "oxigraph_median_ms": 1000 * statistics.median(ox_times),
                             "oxigraph_cpu_median_ms": 1000 * statistics.median(cpu_times),
                             **({f"oxigraph_page_{PAGE}_median_ms": 1000 * statistics.median(page_times)}
                                if is_listing(text) else {}),
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


def run(corpus: Path, repeats: int, *, statistical: bool, stages: bool, memory: bool) -> dict:
    """pkuseg alone and the two builds on ``corpus``, in one run, so their ratios share the machine's load."""
    result = {"load_before": os.getloadavg()}
    result["pkuseg_alone"] = pkuseg_alone(corpus, repeats)
    result.update(builds(corpus, repeats, statistical=statistical))
    result["build_vs_pkuseg"] = result["jobs_1"]["chars_per_s"] / result["pkuseg_alone"]["chars_per_s"]
    if stages:
        result["stages"] = stage_throughput(corpus, statistical=statistical)
        if statistical:
            result["model_alone"] = model_alone(corpus, repeats)
    if memory:
        result["memory_growth"] = memory_growth(statistical=statistical)
    result["load_after"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=850,
                        help="synthetic articles to build (850: about 1.05M characters; the goal is read at >= 1M)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timed figure (its median is reported)")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--query-repeats", type=int, default=9)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--model", choices=("both", "with", "without"), default="with",
                        help="run with the statistical NER layer (default), without it (`kg build --no-model`), or both")
    parser.add_argument("--no-model", dest="model", action="store_const", const="without",
                        help="the same as --model without")
    parser.add_argument("--stages", action="store_true",
                        help="also per-stage throughput and the model alone, in this process (where the time goes)")
    parser.add_argument("--memory", action="store_true", help="also peak memory of one job at 400 and 1,600 articles")
    parser.add_argument("--no-sparql", action="store_true", help="leave out the SPARQL latency figures")
    parser.add_argument("--sparql-only", action="store_true", help="only the SPARQL latency figures")
    args = parser.parse_args()
    set_here = [k for k in THREAD_VARIABLES if k in os.environ]
    if set_here:
        print(f"note: {', '.join(set_here)} set here; the builds run without (as a user runs kg), pkuseg and the "
              "stages in this process with them", file=sys.stderr)

    result = {"machine": machine(), "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "command": " ".join([Path(sys.executable).name, *sys.argv]), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        corpus, base = Path(tmp) / "corpus", Path(tmp) / "sparql"
        if not args.sparql_only:
            generate(args.articles, corpus, seed=11)
        for name, statistical in (("with_model", True), ("without_model", False)):
            if args.model in ("both", name.split("_")[0]) and not args.sparql_only:
                result["runs"][name] = run(corpus, args.repeats, statistical=statistical, stages=args.stages,
                                           memory=args.memory)
                print(report_run(name, result["runs"][name]), flush=True)
        if not args.no_sparql:
            generate(100, base, seed=13)
            result["sparql"] = sparql_latency(base, args.triples, args.query_repeats)
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
                      "  its CPU  rdflib (in memory)  oxigraph, first page of a listing"]
        for name, times in q["queries"].items():
            rd, page = times["rdflib_median_ms"], times.get(f"oxigraph_page_{PAGE}_median_ms")
            cpu = times.get("oxigraph_cpu_median_ms", 0)
            lines.append(f"  {name:<30}{times['oxigraph_median_ms']:>12.1f} {cpu:>9.1f} "
                         + (f"{rd:>12.1f}" if rd is not None else f"{'> ' + str(RDFLIB_LIMIT_S * 1000):>12}")
                         + (f"{page:>12.1f} ({PAGE} rows)" if page is not None else ""))
    return "\n".join(lines)


def report_run(name: str, r: dict) -> str:
    seg, one, two = r["pkuseg_alone"], r["jobs_1"], r["jobs_2"]
    lines = [f"== {name.replace('_', ' ')}: {one['documents']} documents, {one['chars']:,} characters; load average "
             f"{' '.join(f'{x:.1f}' for x in r['load_before'])} before, "
             f"{' '.join(f'{x:.1f}' for x in r['load_after'])} after",
             f"pkuseg alone:     {seg['chars_per_s']:>10,.0f} chars/s  (median of {_runs(seg['runs_s'])} s)"]
    for b in (one, two):
        lines.append(f"kg build --jobs {b['jobs']}: {b['chars_per_s']:>10,.0f} chars/s  (median of {_runs(b['runs_s'])} s; "
                     f"peak RSS of its largest process {b['peak_rss_mb']:,.0f} MB)")
    lines.append(f"whole build (one job) / pkuseg alone: {r['build_vs_pkuseg']:.2f} (goal >= 0.5, stretch 0.75)")
    lines.append(f"two jobs / one job: {r['speedup_2_jobs']:.2f}x (goal >= 1.8x)")
    if "model_alone" in r:
        m = r["model_alone"]
        lines.append(f"NER model alone: {m['chars_per_s']:,.0f} chars/s (median of {_runs(m['runs_s'])} s)")
    if "stages" in r:
        s = r["stages"]
        lines.append(f"stages, in this process ({s['articles']} articles; pipeline start-up {s['startup_s']:.1f} s):")
        lines += [f"  {k:<20}{v:>10,.0f} chars/s" for k, v in s["chars_per_s"].items()]
    if "memory_growth" in r:
        m = r["memory_growth"]
        lines.append(f"peak RSS of one job at {m['articles'][0]} vs {m['articles'][1]} articles: "
                     f"{m['peak_rss_mb'][0]:,.0f} MB vs {m['peak_rss_mb'][1]:,.0f} MB ({m['growth']:+.1%}; goal within 10%)")
    return "\n".join(lines)


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in seconds)


if __name__ == "__main__":
    main()

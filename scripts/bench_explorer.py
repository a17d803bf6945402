"""How the explorer copes with big graphs: time to write the page, its size, and in Chromium the time until the
graph is drawn and settled (interactive), and the time a search takes to find and focus an entity outside the
first view. Graphs are synthetic (bench/synthetic.py: the real RDF path, made-up articles).

    .venv/bin/python scripts/bench_explorer.py             # 500, 2000 and 5000 entities
    .venv/bin/python scripts/bench_explorer.py 5000 --cap 500
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[500, 2000, 5000])
    parser.add_argument("--cap", type=int, default=None, help="entities drawn at first (default: the explorer's)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from kg.paths import ontology_dir
    from kg.viz.explorer import DEFAULT_CAP, explorer_data, explorer_html
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the checkout, for bench/
    from bench.synthetic import synthetic_store

    cap = args.cap or DEFAULT_CAP
    print(f"{'entities':>8} {'relations':>9} {'store s':>8} {'data s':>7} {'page MB':>8} {'ready s':>8} "
          f"{'search s':>9} {'drawn':>6}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(Path(tmp) / "profile"), executable_path="/usr/bin/chromium",
                                                   args=ARGS, viewport={"width": 1400, "height": 900})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        for n in args.sizes:
            t0 = time.perf_counter()
            store = synthetic_store(Path(tmp) / f"g{n}", n)
            t1 = time.perf_counter()
            data = explorer_data(store, ontology=ontology_dir(), cap=cap)
            html = explorer_html(data)
            t2 = time.perf_counter()
            page_path = Path(tmp) / f"g{n}.html"
            page_path.write_text(html, encoding="utf-8")
            page = ctx.new_page()
            t3 = time.perf_counter()
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=120_000)
            t4 = time.perf_counter()
            alias = f"S{n - 1}"   # the last entity: least connected, never in the first view
            page.fill("#search", alias)
            page.press("#search", "Enter")
            page.wait_for_function("n => kgExplorer.selected().length === 1 && kgExplorer.state.ready", arg=n)
            t5 = time.perf_counter()
            drawn = page.evaluate("kgExplorer.shown().length")
            page.close()
            print(f"{n:>8} {len(data['edges']):>9} {t1 - t0:>8.1f} {t2 - t1:>7.1f} {len(html.encode()) / 1e6:>8.1f} "
                  f"{t4 - t3:>8.2f} {t5 - t4:>9.2f} {drawn:>6}")
            del store
        ctx.close()


if __name__ == "__main__":
    main()

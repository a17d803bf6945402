"""Take the README's screenshot of the explorer (docs/explorer.png) with Debian's Chromium, offline.

    .venv/bin/python scripts/explorer_screenshot.py                 # builds examples/ into a temporary folder
    .venv/bin/python scripts/explorer_screenshot.py --graph out      # an already built graph folder
    .venv/bin/python scripts/explorer_screenshot.py --chart --out docs/explorer-trends.png   # the side panel's charts

The page is opened from file:, every request that is not file: or data: is refused, and the script stops with an
error on any console error. It focuses one entity (--focus) so the side panel shows in the picture.
Chinese renders with fonts-noto-cjk (installed with chromium by scripts/setup.sh --test).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shoot(page_path: Path, out: Path, *, focus: str | None, width: int, height: int, chart: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path="/usr/bin/chromium", args=ARGS,
                                                   viewport={"width": width, "height": height}, locale="zh-CN",
                                                   device_scale_factor=1)

        def only_local(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                problems.append(f"outside request: {route.request.url}")
                route.abort()

        ctx.route("**/*", only_local)
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        if focus:
            page.fill("#search", focus)
            page.press("#search", "Enter")
            page.wait_for_selector("#panel:not([hidden])")
            page.evaluate("() => document.getElementById('search').blur()")
            page.wait_for_timeout(600)
            page.evaluate("""() => {   // most of the graph beside the panel, the focused entity in the middle
                const net = kgExplorer.network(), id = kgExplorer.selected()[0];
                net.fit();
                net.moveTo({scale: net.getScale() * 1.3, position: net.getPositions([id])[id]});
            }""")
            page.wait_for_timeout(300)
        if focus and chart:       # the side panel's charts in view, a conflicting point opened
            page.evaluate("""() => document.querySelector('#panel h3 ~ .chart-box').scrollIntoView()""")
            points = page.locator("#panel svg.chart .point.conflict")
            (points if points.count() else page.locator("#panel svg.chart .point")).last.click()   # the one on top
            page.evaluate("""() => document.querySelector('#panel h3 ~ .chart-box').previousElementSibling
                                   .scrollIntoView()""")
            page.wait_for_timeout(200)
        page.screenshot(path=str(out))
        ctx.close()
    if problems:
        sys.exit("problems on the page:\n" + "\n".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, help="a built graph folder (default: build examples/ now)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "explorer.png")
    parser.add_argument("--focus", default="义乌市", help="entity to search for and open in the side panel")
    parser.add_argument("--size", default="1440x860", help="viewport WIDTHxHEIGHT")
    parser.add_argument("--chart", action="store_true",
                        help="scroll the side panel to its charts and open a point (docs/explorer-trends.png)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    from kg.graph.store import GraphStore
    from kg.paths import ontology_dir
    from kg.viz.explorer import write_explorer

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.graph
        if folder is None:
            from kg.build import build

            folder = Path(tmp) / "graph"
            build([str(ROOT / "examples")], folder, exclude=("README*",), explorer=False)
        page = write_explorer(GraphStore(folder), Path(tmp) / "explorer.html", ontology=ontology_dir())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shoot(page, args.out, focus=args.focus, width=width, height=height, chart=args.chart)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

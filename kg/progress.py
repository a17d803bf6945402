"""``kg build``'s progress on stderr: a bar with counts and ETA on a terminal, one line per document elsewhere.

A log file or a CI console gets lines it can keep (no carriage returns to garble it); a person at a terminal gets
one line redrawn in place. The build core knows nothing of either: it calls ``BuildProgress`` with a ``Step`` per
document and stage (``kg.build.build(progress=...)``), and with a line per input problem (``log``).
"""
from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable

from kg.build import Step

BAR_WIDTH = 24        # characters of the bar itself
REDRAW_EVERY = 0.1    # seconds between two redraws of the bar (unchanged documents can pass by the thousand)
STAGE_LINES = {"loading model": "loading model … (about 5 s; each --jobs worker loads its own)",
               "writing": "writing graph.ttl and explorer.html …"}


def clock_time(seconds: float) -> str:
    """``1:05`` for 65 s, ``1:02:05`` past an hour."""
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class BuildProgress:
    """Called with each ``Step`` of a build; ``message`` prints a problem line without breaking the bar.

    ``verbose`` adds the documents left unchanged (on a line each, off a terminal), each document's seconds, and
    ``timings()``: how long each stage of the build took.
    """

    def __init__(self, stream=None, *, tty: bool | None = None, verbose: bool = False,
                 clock: Callable[[], float] = time.monotonic, width: int | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.verbose = verbose
        self.clock = clock
        self.width = width
        self.started = clock()
        self.stages: dict[str, float] = {}     # stage or event -> when it first happened
        self.extracted = 0                     # documents built or failed (their time makes the rate)
        self.last: Step | None = None
        self.last_time = self.started
        self.drawn = ""                        # the bar as last drawn ("" when none is on screen)
        self.drawn_at = float("-inf")

    # --- what the build calls ---------------------------------------------------------------------------------

    def __call__(self, step: Step) -> None:
        now = self.clock()
        self.stages.setdefault(step.what, now)
        if step.what in STAGE_LINES:
            self.stages["last document"] = self.last_time
            self._stage(STAGE_LINES[step.what])
            return
        seconds, self.last_time, self.last = now - self.last_time, now, step
        if step.what != "unchanged":
            self.extracted += 1
        if self.tty:
            if now - self.drawn_at >= REDRAW_EVERY or step.done >= step.total:
                self._draw(self.bar(step, now))
        elif step.what == "built" or self.verbose:
            self._line(self.document_line(step, seconds))

    def message(self, line: str) -> None:
        """A line that stays (a skipped file, a warning): above the bar on a terminal."""
        if self.tty and self.drawn:
            self.stream.write("\r\x1b[2K")
        self.stream.write(line + "\n")
        if self.tty and self.drawn:
            self.stream.write(self.drawn)
        self.stream.flush()

    def close(self) -> None:
        """The bar ends on its line; what follows (the summary, on stdout) starts on the next."""
        self.stages.setdefault("end", self.clock())
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = ""

    # --- what it prints ---------------------------------------------------------------------------------------

    def document_line(self, step: Step, seconds: float) -> str:
        name = f"{step.doc_id} ({step.source})" if step.doc_id else step.source
        line = f"[{step.done}/{step.total}] {step.what} {name}"
        if step.what == "built":
            line += f": {step.title or '(untitled)'}"
        return line + (f" (+{seconds:.1f} s)" if self.verbose else "")   # since the line before

    def bar(self, step: Step, now: float) -> str:
        """``[#####---] 12/46 documents  26%  0:42 elapsed  ETA 1:20  yiwu-trade-q1``, cut to the terminal."""
        share = step.done / step.total if step.total else 1.0
        filled = int(BAR_WIDTH * min(share, 1.0))
        text = (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {step.done}/{step.total} documents {share:4.0%}  "
                f"{clock_time(now - self.started)} elapsed  ETA {self.eta(step, now)}  {step.doc_id}")
        width = self.width or shutil.get_terminal_size((80, 24)).columns
        return text[:max(width - 1, 10)]

    def eta(self, step: Step, now: float) -> str:
        """Time left at the rate of the documents extracted since the first (the model's load is not a rate)."""
        first = self.stages.get("built", self.stages.get("failed"))
        if first is None or self.extracted < 2 or step.done >= step.total:
            return "--:--" if step.done < step.total else "0:00"
        rate = (now - first) / (self.extracted - 1)
        return clock_time(rate * (step.total - step.done))

    def timings(self) -> list[tuple[str, float]]:
        """(stage, seconds) of the build so far, for ``kg -v build``: reading inputs up to the first document to
        extract, the model's load with the first batch, the other documents, and the outputs."""
        marks = self.stages
        first = marks.get("built", marks.get("failed"))
        points = [("reading inputs", self.started, marks.get("loading model")),
                  ("loading model and the first batch", marks.get("loading model"), first)]
        if self.extracted > 1:
            points.append((f"extracting the other {self.extracted - 1} documents", first, marks.get("last document")))
        points.append(("writing graph.ttl, explorer.html (and validating)", marks.get("writing"), marks.get("end")))
        return [(name, end - start) for name, start, end in points if start is not None and end is not None]

    # --- drawing ----------------------------------------------------------------------------------------------

    def _stage(self, text: str) -> None:
        """On a terminal the stage takes the bar's line (a finished bar stays, above it); the next bar replaces it."""
        if not self.tty:
            self._line(text)
            return
        if self.drawn and self.last is not None and self.last.done >= self.last.total:
            self.stream.write("\n")
        self._draw(text)

    def _draw(self, text: str) -> None:
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self.drawn, self.drawn_at = text, self.clock()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

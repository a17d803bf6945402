"""``kg build``'s progress display (kg/progress.py), driven with the Steps a build sends and a clock the test sets:
one line per document off a terminal, a bar redrawn in place on one (a stream whose isatty() says so)."""
from __future__ import annotations

import io

import pytest

from kg.build import Step
from kg.progress import BuildProgress, clock_time

# a build of three articles, one unchanged: (seconds since the start, step)
STEPS = [
    (0.1, Step("unchanged", 1, 3, "ningbo-port", "in/ningbo_port.html", "宁波舟山港集装箱吞吐量增长")),
    (0.2, Step("loading model", 1, 3)),
    (5.2, Step("built", 2, 3, "yiwu-q1", "in/yiwu_q1.txt", "义乌一季度外贸进出口增长")),
    (6.2, Step("built", 3, 3, "yiwu-q3", "in/yiwu_q3.txt", "")),
    (6.3, Step("writing", 3, 3)),
]


class Terminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def replay(tty: bool, verbose: bool = False, steps=STEPS, end: float = 7.0) -> tuple[str, BuildProgress]:
    stream, clock = Terminal(tty), Clock()
    progress = BuildProgress(stream, verbose=verbose, clock=clock, width=100)
    for at, step in steps:
        clock.now = at
        progress(step)
    clock.now = end
    progress.close()
    return stream.getvalue(), progress


def test_off_a_terminal_each_document_has_a_line_with_counts():
    text, _ = replay(tty=False)
    assert "\r" not in text and "\x1b" not in text
    assert text.splitlines() == [
        "loading model … (about 5 s; each --jobs worker loads its own)",
        "[2/3] built yiwu-q1 (in/yiwu_q1.txt): 义乌一季度外贸进出口增长",
        "[3/3] built yiwu-q3 (in/yiwu_q3.txt): (untitled)",
        "writing graph.ttl and explorer.html …",
    ]


def test_verbose_adds_unchanged_documents_and_seconds():
    text, _ = replay(tty=False, verbose=True)
    lines = text.splitlines()
    assert lines[0] == "[1/3] unchanged ningbo-port (in/ningbo_port.html) (+0.1 s)"
    assert lines[2] == "[2/3] built yiwu-q1 (in/yiwu_q1.txt): 义乌一季度外贸进出口增长 (+5.1 s)"


def test_on_a_terminal_a_bar_is_redrawn_in_place():
    text, _ = replay(tty=True)
    assert text.count("\n") == 2   # the finished bar stays, the stage after it ends its line at close
    frames = [frame for frame in text.replace("\n", "").split("\r\x1b[2K") if frame]
    assert frames[0].startswith("[########----------------] 1/3 documents  33%")
    assert frames[1].startswith("loading model")
    assert frames[-2].startswith("[########################] 3/3 documents 100%  0:06 elapsed  ETA 0:00")
    assert frames[-1] == "writing graph.ttl and explorer.html …"


def test_the_bar_is_cut_to_the_terminal_width():
    stream = Terminal(True)
    progress = BuildProgress(stream, clock=Clock(), width=40)
    progress(Step("built", 1, 9, "a-very-long-document-id-" * 3, "x.txt"))
    assert max(len(line) for line in stream.getvalue().split("\r\x1b[2K")) == 39


@pytest.mark.parametrize("done_at, expected", [
    ([5.0], "--:--"),              # one document: the model's load is in its time, no rate yet
    ([5.0, 6.0], "0:08"),          # 1 s a document since the first, 8 left
    ([5.0, 6.0, 8.0, 10.0], "0:10"),   # 5/3 s a document, 6 left
])
def test_eta_is_the_rate_since_the_first_document_times_those_left(done_at, expected):
    clock = Clock()
    progress = BuildProgress(Terminal(True), clock=clock)
    for n, at in enumerate(done_at, start=1):
        clock.now = at
        progress(Step("built", n, 10, f"d{n}", f"d{n}.txt"))
    assert progress.eta(Step("built", len(done_at), 10), clock.now) == expected


def test_a_problem_line_goes_above_the_bar():
    stream = Terminal(True)
    progress = BuildProgress(stream, clock=Clock(), width=100)
    progress(Step("built", 1, 2, "a", "a.txt"))
    progress.message("skipped in/scan.txt: [I011] not text")
    bar = progress.drawn
    assert stream.getvalue() == f"\r\x1b[2K{bar}\r\x1b[2Kskipped in/scan.txt: [I011] not text\n{bar}"


def test_timings_name_each_stage():
    _, progress = replay(tty=False)
    assert [(name, round(seconds, 1)) for name, seconds in progress.timings()] == [
        ("reading inputs", 0.2),
        ("loading model and the first batch", 5.0),
        ("extracting the other 1 documents", 1.0),
        ("writing graph.ttl, explorer.html (and validating)", 0.7),
    ]


@pytest.mark.parametrize("seconds, shown", [(0, "0:00"), (65, "1:05"), (3725, "1:02:05")])
def test_clock_time(seconds, shown):
    assert clock_time(seconds) == shown

"""``kg eval``: score what kg extracts against gold annotations (entities, relations, observations).

Gold files are ``<article file name>.gold.json`` with ``entities`` (name, type, aliases), ``relations`` (s, p, o) and
``observations`` (subject, value, unit, ...). Articles go through the same path as ``kg build`` (ingest -> pipeline ->
Extractor) without writing a store; the stories of one file are pooled and scored against that file's gold.

Matching rules:
- only entities with a mention span are scored as entities (a relation's end named only inside a longer name is not);
- an entity matches a gold entity when one of its names (label, aliases, mention texts) equals one of the gold's
  names (name, aliases) and the coarse classes (``kg.vocab.coarse``) agree; each side matches at most once, so a
  thing kg splits into two entities scores one hit and one false hit;
- a relation matches when the property is equal and subject and object match by name as above;
- an observation matches on (value, unit); how many matches also have the right subject is reported apart.
Scores are per document and micro-averaged over documents.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.errors import DataError
from kg.nlp.text import fold
from kg.records import Extraction, Problem
from kg.vocab import coarse

GOLD_SUFFIX = ".gold.json"
# marks that wrap a name without being part of it: “义新欧” and 义新欧 are one name for scoring
_WRAPPERS = str.maketrans("", "", "“”‘’\"'「」『』《》〈〉 \u3000\t\n")


def name_key(text: str) -> str:
    """The form two names are compared in: folded (full/half width, case, dashes), without quotes and spaces."""
    return fold(text).translate(_WRAPPERS)


# ---------------------------------------------------------------------------------------------------------- gold


@dataclass(frozen=True)
class GoldEntity:
    name: str
    cls: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name_key(n) for n in (self.name, *self.aliases) if n)


@dataclass(frozen=True)
class GoldRelation:
    s: str
    p: str
    o: str


@dataclass(frozen=True)
class GoldObservation:
    subject: str | None
    value: Decimal
    unit: str
    indicator: str = ""


@dataclass(frozen=True)
class Gold:
    doc: str                                 # the article's file name
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]
    observations: tuple[GoldObservation, ...]

    def names_of(self, name: str) -> frozenset[str]:
        """All names of the gold entity called ``name`` (or just that name when no gold entity has it)."""
        key = name_key(name)
        for entity in self.entities:
            if key in entity.names:
                return entity.names
        return frozenset({key})


def load_gold(folder: Path) -> dict[str, Gold]:
    """Every ``*.gold.json`` in ``folder``, keyed by the article file name it annotates."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"[E060] gold folder {folder} not found: give the folder holding the *{GOLD_SUFFIX} files")
    golds = {}
    for path in sorted(folder.glob(f"*{GOLD_SUFFIX}")):
        doc = path.name[: -len(GOLD_SUFFIX)]
        golds[doc] = parse_gold(doc, json.loads(path.read_text(encoding="utf-8")), source=str(path))
    if not golds:
        raise DataError(f"[E061] no *{GOLD_SUFFIX} files in {folder}")
    return golds


def parse_gold(doc: str, data: dict, *, source: str = "gold") -> Gold:
    try:
        entities = tuple(GoldEntity(e["name"], e["type"], tuple(e.get("aliases") or ())) for e in data["entities"])
        relations = tuple(GoldRelation(r["s"], r["p"], r["o"]) for r in data.get("relations", ()))
        observations = tuple(
            GoldObservation(o.get("subject"), _decimal(o["value"]), o["unit"], o.get("indicator") or "")
            for o in data.get("observations", ())
        )
    except (KeyError, TypeError, InvalidOperation) as error:
        raise DataError(f'[E062] {source}: not in the gold format ({error!r}): a JSON object with "entities" '
                        f'[{{name, type, aliases}}], "relations" [{{s, p, o}}] and "observations" '
                        f'[{{subject, value, unit, indicator}}]') from None
    return Gold(doc, entities, relations, observations)


def _decimal(value) -> Decimal:
    return Decimal(str(value)).normalize()


# -------------------------------------------------------------------------------------------------------- counts


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, other: "Counts") -> "Counts":
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Score:
    """Counts per category (coarse class, property or unit); ``overall`` sums them."""

    by: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    def add(self, category: str, *, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.by[category] += Counts(tp, fp, fn)

    def __iadd__(self, other: "Score") -> "Score":
        for category, counts in other.by.items():
            self.by[category] += counts
        return self

    @property
    def overall(self) -> Counts:
        total = Counts()
        for counts in self.by.values():
            total += counts
        return total

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(), "by": {k: self.by[k].as_dict() for k in sorted(self.by)}}


@dataclass
class DocScore:
    doc: str
    entities: Score = field(default_factory=Score)
    relations: Score = field(default_factory=Score)
    observations: Score = field(default_factory=Score)
    rules: Score = field(default_factory=Score)      # relations predicted, by the rule that found them (no fn)
    observations_subject_ok: int = 0
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))   # kind -> lines


@dataclass
class EvalReport:
    docs: list[DocScore] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    no_article: list[str] = field(default_factory=list)    # gold files whose article was not among the inputs
    no_gold: list[str] = field(default_factory=list)       # articles read that have no gold file

    def total(self, part: str) -> Score:
        score = Score()
        for d in self.docs:
            score += getattr(d, part)
        return score

    @property
    def observations_subject_ok(self) -> int:
        return sum(d.observations_subject_ok for d in self.docs)

    def as_dict(self, *, errors: bool = False) -> dict:
        out = {
            "documents": len(self.docs),
            "entities": self.total("entities").as_dict(),
            "relations": self.total("relations").as_dict(),
            "observations": {**self.total("observations").as_dict(),
                             "subject_ok": self.observations_subject_ok},
            "relation_rules": {k: {"tp": c.tp, "fp": c.fp} for k, c in sorted(self.total("rules").by.items())},
            "per_document": [
                {"doc": d.doc, "entities": d.entities.overall.as_dict(), "relations": d.relations.overall.as_dict(),
                 "observations": d.observations.overall.as_dict(), "observations_subject_ok": d.observations_subject_ok,
                 **({"errors": dict(d.errors)} if errors else {})}
                for d in self.docs
            ],
            "no_article": self.no_article,
            "no_gold": self.no_gold,
            "problems": [str(p) for p in self.problems],
        }
        return out


# ------------------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class _Predicted:
    key: str
    label: str
    cls: str
    names: frozenset[str]


def predicted_entities(extractions: Iterable[Extraction]) -> dict[str, _Predicted]:
    """The entities of one file's extractions, pooled by key, each with every name it was seen under."""
    labels: dict[str, tuple[str, str]] = {}
    names: dict[str, set[str]] = defaultdict(set)
    for ex in extractions:
        for key, entity in ex.entities.items():
            labels.setdefault(key, (entity.label, entity.cls))
            names[key].update(name_key(n) for n in (entity.label, *entity.aliases))
        for m in ex.mentions:
            labels.setdefault(m.entity.key, (m.entity.label, m.entity.cls))
            names[m.entity.key].add(name_key(m.text))
    return {k: _Predicted(k, labels[k][0], labels[k][1], frozenset(names[k])) for k in labels}


def score_document(gold: Gold, extractions: list[Extraction]) -> DocScore:
    """Score one file's pooled extractions against its gold."""
    result = DocScore(gold.doc)
    known = predicted_entities(extractions)
    # an entity the text names only inside a longer name (a relation's end: 满洲里口岸 -> 满洲里市) has no mention span
    # and the gold does not annotate nested names: it gives relations their names but is not a predicted entity
    mentioned = {m.entity.key for ex in extractions for m in ex.mentions}
    _score_entities(gold, {k: p for k, p in known.items() if k in mentioned}, result)
    _score_relations(gold, known, extractions, result)
    _score_observations(gold, known, extractions, result)
    return result


def _score_entities(gold: Gold, predicted: dict[str, _Predicted], result: DocScore) -> None:
    preds = sorted(predicted.values(), key=lambda p: p.key)
    pairs = _match(
        gold.entities, preds,
        lambda g, p: bool(g.names & p.names) and coarse(g.cls) == coarse(p.cls),
    )
    matched_gold = {id(g) for g, _ in pairs}
    matched_pred = {p.key for _, p in pairs}
    for g, _ in pairs:
        result.entities.add(coarse(g.cls), tp=1)
    for g in gold.entities:
        if id(g) not in matched_gold:
            result.entities.add(coarse(g.cls), fn=1)
            result.errors["entity_missed"].append(f"{g.name} [{g.cls}]")
    by_gold = {g: p for g, p in pairs}
    for p in preds:
        if p.key in matched_pred:
            continue
        result.entities.add(coarse(p.cls), fp=1)
        note = ""
        for g in gold.entities:
            if g.names & p.names:
                if coarse(g.cls) != coarse(p.cls):
                    note = f" (gold: {g.name} [{g.cls}])"
                elif g in by_gold:
                    note = f" (duplicate of {by_gold[g].label})"
                break
        result.errors["entity_false"].append(f"{p.label} [{p.cls}]{note}")


def _score_relations(gold: Gold, predicted: dict[str, _Predicted], extractions: list[Extraction],
                     result: DocScore) -> None:
    seen = {}
    for ex in extractions:
        for r in ex.relations:
            seen.setdefault((r.subject, r.prop, r.object), r)
    preds = sorted(seen)

    def names(key: str) -> frozenset[str]:
        p = predicted.get(key)
        return p.names if p else frozenset({name_key(key)})

    def label(key: str) -> str:
        p = predicted.get(key)
        return p.label if p else key

    pairs = _match(
        gold.relations, preds,
        lambda g, p: g.p == p[1] and bool(gold.names_of(g.s) & names(p[0])) and bool(gold.names_of(g.o) & names(p[2])),
    )
    matched_gold = {id(g) for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    for g, p in pairs:
        result.relations.add(g.p, tp=1)
        result.rules.add(seen[p].provenance.rule, tp=1)
    for g in gold.relations:
        if id(g) not in matched_gold:
            result.relations.add(g.p, fn=1)
            result.errors["relation_missed"].append(f"{g.s} {g.p} {g.o}")
    for p in preds:
        if p not in matched_pred:
            result.relations.add(p[1], fp=1)
            rule = seen[p].provenance.rule
            result.rules.add(rule, fp=1)
            result.errors["relation_false"].append(f"{label(p[0])} {p[1]} {label(p[2])} ({rule})")


def _score_observations(gold: Gold, predicted: dict[str, _Predicted], extractions: list[Extraction],
                        result: DocScore) -> None:
    preds = [o for ex in extractions for o in ex.observations]

    def subject_ok(g: GoldObservation, o) -> bool:
        if not g.subject or not o.subject:
            return False
        p = predicted.get(o.subject)
        return bool(gold.names_of(g.subject) & (p.names if p else {name_key(o.subject)}))

    def same_figure(g: GoldObservation, o) -> bool:
        return g.unit == o.unit and g.value == _decimal(o.value)

    # first pair figures whose subject is right too, then the rest, so the subject count is not left to order
    pairs = _match(gold.observations, preds, lambda g, o: same_figure(g, o) and subject_ok(g, o))
    done_gold = {id(g) for g, _ in pairs}
    done_pred = {id(o) for _, o in pairs}
    result.observations_subject_ok = len(pairs)
    pairs += _match([g for g in gold.observations if id(g) not in done_gold],
                    [o for o in preds if id(o) not in done_pred], same_figure)
    done_gold = {id(g) for g, _ in pairs}
    done_pred = {id(o) for _, o in pairs}
    for g, _ in pairs:
        result.observations.add(g.unit, tp=1)
    for g in gold.observations:
        if id(g) not in done_gold:
            result.observations.add(g.unit, fn=1)
            result.errors["observation_missed"].append(f"{g.subject}: {g.indicator} = {g.value} {g.unit}")
    for o in preds:
        if id(o) not in done_pred:
            result.observations.add(o.unit, fp=1)
            subject = predicted[o.subject].label if o.subject in predicted else o.subject
            result.errors["observation_false"].append(f"{subject}: {o.indicator} = {o.text} ({o.value} {o.unit})")
    for g, o in pairs:
        if not subject_ok(g, o):
            subject = predicted[o.subject].label if o.subject in predicted else o.subject
            result.errors["observation_wrong_subject"].append(
                f"{o.text} ({g.value} {g.unit}): kg says {subject}, gold says {g.subject}")


def _match(golds, preds, ok: Callable) -> list[tuple]:
    """A maximum one-to-one matching between gold and predicted items under ``ok`` (augmenting paths)."""
    preds = list(preds)
    options = [[j for j, p in enumerate(preds) if ok(g, p)] for g in golds]
    owner: dict[int, int] = {}

    def place(i: int, visited: set[int]) -> bool:
        for j in options[i]:
            if j in visited:
                continue
            visited.add(j)
            if j not in owner or place(owner[j], visited):
                owner[j] = i
                return True
        return False

    for i in range(len(golds)):
        place(i, set())
    golds = list(golds)
    return [(golds[i], preds[j]) for i, j in sorted((i, j) for j, i in owner.items())]


# --------------------------------------------------------------------------------------------------- the command


def evaluate(
    gold_dir: Path,
    paths: Iterable[str],
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    statistical: bool = True,
    ontology: Path | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> EvalReport:
    """Read ``paths`` as ``kg build`` does, extract (by the ontology folder ``ontology``, default
    ``kg.paths.ontology_dir``), and score each file that has a gold file in ``gold_dir``."""
    from kg.ingest import read_articles
    from kg.parallel import extract_all
    from kg.paths import ontology_dir

    golds = load_gold(gold_dir)
    report = EvalReport()
    pooled: dict[str, list[Extraction]] = defaultdict(list)

    def articles():
        for item in read_articles(list(paths), include=include, exclude=exclude):
            if isinstance(item, Problem):
                report.problems.append(item)
                log(f"skipped {item}")
            else:
                yield item

    for extraction in extract_all(articles(), ontology=ontology_dir(ontology), statistical=statistical):
        if isinstance(extraction, Problem):   # its extraction failed: reported, its gold file unmatched
            report.problems.append(extraction)
            log(f"skipped {extraction}")
            continue
        pooled[_file_name(extraction.article.source)].append(extraction)
    for name in sorted(pooled):
        if name in golds:
            report.docs.append(score_document(golds[name], pooled[name]))
        else:
            report.no_gold.append(name)
    report.no_article = sorted(set(golds) - set(pooled))
    return report


def _file_name(source: str) -> str:
    return Path(source).name


def format_report(report: EvalReport, *, errors: bool = False, by_rule: bool = False) -> str:
    lines: list[str] = []
    if errors:
        for d in report.docs:
            if any(d.errors.values()):
                lines.append(f"== {d.doc}")
                for kind in ("entity_missed", "entity_false", "relation_missed", "relation_false",
                             "observation_missed", "observation_false", "observation_wrong_subject"):
                    for line in d.errors.get(kind, ()):
                        lines.append(f"  {kind:<26} {line}")
        lines.append("")
    lines.append(f"{len(report.docs)} documents scored (micro-average over documents)")
    lines.append(f"{'':<14}{'':<18}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for part in ("entities", "relations", "observations"):
        score = report.total(part)
        lines.append(_row(part, "overall", score.overall))
        for category in sorted(score.by):
            lines.append(_row("", category, score.by[category]))
    if by_rule:   # what each relation rule contributes: right and wrong relations it found (misses have no rule)
        rules = report.total("rules").by
        for rule in sorted(rules, key=lambda r: (-rules[r].tp, rules[r].fp, r)):
            lines.append(f"{'relation rule':<14}{rule:<32}{rules[rule].tp:>6} right{rules[rule].fp:>6} wrong")
    matched = report.total("observations").overall.tp
    lines.append(f"observations with the right subject: {report.observations_subject_ok} of {matched} matched")
    if report.no_article:
        lines.append(f"gold files without an article among the inputs: {', '.join(report.no_article)}")
    if report.no_gold:
        lines.append(f"articles without a gold file (not scored): {', '.join(report.no_gold)}")
    for problem in report.problems:
        lines.append(f"skipped {problem}")
    return "\n".join(lines)


def _row(part: str, category: str, c: Counts) -> str:
    return (f"{part:<14}{category:<18}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}"
            f"{c.tp:>6}{c.fp:>6}{c.fn:>6}")


def report_json(report: EvalReport, *, errors: bool = False) -> str:
    return json.dumps(report.as_dict(errors=errors), ensure_ascii=False, indent=1)


__all__ = ["Counts", "DocScore", "EvalReport", "Gold", "GoldEntity", "evaluate", "format_report", "load_gold",
           "name_key", "parse_gold", "report_json", "score_document"]


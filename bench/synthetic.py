"""A synthetic graph of any size, for the explorer's benchmark (scripts/bench_explorer.py) and its large-graph tests.

It goes through the real record -> RDF path (``kg.graph.rdf.extraction_triples``), so the store holds exactly what
``kg build`` would write; only the articles are made up (numbered names, one short sentence per fact). Hubs come
from preferential attachment, so degrees are skewed the way news graphs are.
"""
from __future__ import annotations

import random
from decimal import Decimal

from kg.records import Article, Entity, Extraction, Mention, Observation, Provenance, Relation, Sentence

KINDS = (  # class, name suffix, the verb that states a relation from it, property
    ("City", "市", "位于", "locatedIn"), ("Facility", "物流园", "位于", "locatedIn"),
    ("Route", "班列", "始发于", "departsFrom"), ("Company", "贸易有限公司", "出口至", "exportsTo"),
    ("Zone", "综合保税区", "隶属于", "partOf"), ("Policy", "试点方案", "适用于", "appliesTo"),
    ("Platform", "数字平台", "的运营方是", "operatedBy"), ("Industry", "产业", "位于", "locatedIn"),
)
SYLLABLES = "东南西北江湖山海金银安平新兴华宁嘉丰永乐长清临义宝丽泰和"


def _name(i: int, suffix: str) -> str:
    a, b = SYLLABLES[i % len(SYLLABLES)], SYLLABLES[(i // len(SYLLABLES)) % len(SYLLABLES)]
    return f"{a}{b}{i}{suffix}"


def synthetic_extractions(entities: int, *, per_document: int = 40, relations_per_entity: float = 2.0,
                          seed: int = 8) -> list[Extraction]:
    rng = random.Random(seed)
    things = [Entity(key=f"syn:{i}", label=_name(i, KINDS[i % len(KINDS)][1]), cls=KINDS[i % len(KINDS)][0],
                     aliases=(f"S{i}",)) for i in range(entities)]
    # preferential attachment: each new entity links to earlier ones picked in proportion to their degree
    targets: list[int] = []
    facts: list[tuple[int, int]] = []
    for i in range(1, entities):
        for _ in range(max(1, round(rng.expovariate(1 / relations_per_entity)))):
            j = rng.choice(targets) if targets and rng.random() < 0.8 else rng.randrange(i)
            facts.append((i, j))
            targets += [i, j]
    by_doc: dict[int, list[tuple[int, int]]] = {}
    for i, j in facts:
        by_doc.setdefault(i // per_document, []).append((i, j))

    out = []
    for d in range((entities + per_document - 1) // per_document):
        doc_id = f"synthetic-{d:05d}"
        article_text, sentences = "", []

        def sentence(text: str) -> Sentence:
            nonlocal article_text
            s = Sentence(len(article_text), len(article_text) + len(text), text)
            article_text += text
            sentences.append(s)
            return s

        ex = Extraction(article=None)  # the article is set once its text is complete
        date = f"2025-{1 + d % 12:02d}-{1 + d % 28:02d}"
        for i in range(d * per_document, min(entities, (d + 1) * per_document)):
            entity = things[i]
            s = sentence(f"{entity.label}（{entity.aliases[0]}）近日发布年度报告。")
            prov = Provenance(doc_id, s, "synthetic-mention", 1.0, date)
            ex.entities[entity.key] = entity
            ex.mentions.append(Mention(entity, s.start, s.start + len(entity.label), entity.label, prov))
            alias_at = s.start + len(entity.label) + 1
            ex.mentions.append(Mention(entity, alias_at, alias_at + len(entity.aliases[0]), entity.aliases[0], prov))
            if i % 5 == 0:
                value = 100 + i
                s = sentence(f"{entity.label}去年货运量达{value}万吨，同比增长{i % 30}.5%。")
                ex.observations.append(Observation(entity.key, "货运量", Decimal(value * 10000), "ton", f"{value}万吨",
                                                   Provenance(doc_id, s, "synthetic-figure", 0.9, date),
                                                   period="去年"))
        for i, j in by_doc.get(d, []):
            subject, obj = things[i], things[j]
            _, _, verb, prop = KINDS[i % len(KINDS)]
            s = sentence(f"{subject.label}{verb}{obj.label}。")
            prov = Provenance(doc_id, s, "synthetic-relation", 0.8, date)
            for entity in (subject, obj):
                ex.entities[entity.key] = entity
                start = s.text.index(entity.label) + s.start
                ex.mentions.append(Mention(entity, start, start + len(entity.label), entity.label, prov))
            ex.relations.append(Relation(subject.key, prop, obj.key, prov))
        ex.article = Article(doc_id=doc_id, text=article_text, source=f"synthetic/{doc_id}.txt",
                             title=f"合成新闻第{d + 1}篇", date=date, sentences=tuple(sentences))
        out.append(ex)
    return out


def synthetic_store(folder, entities: int, **options):
    """A GraphStore in ``folder`` holding a synthetic graph of ``entities`` entities."""
    from kg.graph.rdf import extraction_triples
    from kg.graph.store import GraphStore

    store = GraphStore(folder)
    for ex in synthetic_extractions(entities, **options):
        store.replace_document(ex.article.doc_id, extraction_triples(ex))
    store.flush()
    return store

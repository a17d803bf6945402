"""SPARQL over a built graph folder, with answers as plain rows; named queries from ``ontology/queries/*.rq``.

A named query is a ``.rq`` file whose header comments say what it is::

    # name: routes_from
    # description: Routes that depart from a place ...
    # params: ?place

Parameters are bound as a VALUES block that opens the query's WHERE clause, each written by pyoxigraph as an RDF term
(``kg.graph.store.bound``), never the text a user typed. A value given on the command line becomes an RDF term by ``parse_value``: an IRI, a prefixed name, a kg class/property/unit name, the
label of an entity in the graph, a number, or else a literal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: str
    text: str
    path: Path

    @property
    def variables(self) -> set[str]:
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("#"))
        return set(re.findall(r"[?$](\w+)", body))

    @property
    def required(self) -> list[str]:
        """The parameters the query needs: those its ``# params:`` header names outside parentheses (``?entity
        (optionally ?indicator)`` needs ?entity; ``(none; bind ?document for one)`` needs none)."""
        return re.findall(r"[?$](\w+)", re.sub(r"\([^)]*\)", " ", self.params))


def named_queries(ontology: Path) -> dict[str, NamedQuery]:
    """Every named query of ``ontology``/queries, by name (the ``# name:`` header, else the file's stem)."""
    out = {}
    for path in sorted((Path(ontology) / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header: dict[str, list[str]] = {}
        key = None
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*(\w+):\s*(.*)", line)
            if m:
                key = m.group(1).lower()
                header[key] = [m.group(2).strip()]
            elif key:
                header[key].append(line.lstrip("#").strip())
        join = lambda k: " ".join(p for p in header.get(k, []) if p)
        name = join("name") or path.stem
        out[name] = NamedQuery(name, join("description"), join("params"), text, path)
    return out


def get_named_query(name: str, ontology: Path) -> NamedQuery:
    queries = named_queries(ontology)
    if name not in queries:
        raise QueryError(f"[E141] no named query {name!r}; known: {', '.join(sorted(queries))} (kg query --list)")
    return queries[name]


def parse_value(store, text: str):
    """A parameter value as an RDF term (pyoxigraph), and a note when it is not what it may look like.

    ``<http://…>`` or ``http://…`` -> IRI; ``kg:City``, ``rdfs:label`` … -> IRI; ``City``, ``departsFrom``, ``TEU`` (a
    kg term) -> IRI; ``"text"@zh`` / ``"12"^^xsd:integer`` -> that literal; the label or alias of one entity in the
    graph -> that entity; a number -> xsd:integer or xsd:decimal; anything else -> a literal (tagged @zh unless ASCII).
    """
    import pyoxigraph as ox

    from kg.vocab import KG_NS

    value = text.strip()
    iri = typed_iri(value)
    if iri is not None:
        return ox.NamedNode(iri), None
    m = re.match(r'^"(.*)"(?:@([A-Za-z-]+)|\^\^(\S+))?$', value, re.S)
    if m:
        lexical, lang, datatype = m.groups()
        if lang:
            return ox.Literal(lexical, language=lang), None
        if datatype:
            dt, _ = parse_value(store, datatype)
            return ox.Literal(lexical, datatype=dt), None
        return ox.Literal(lexical), None
    if re.match(r"^\w+$", value, re.A) and _is_kg_term(value):
        return ox.NamedNode(KG_NS + value), None
    entities = _entities_labelled(store, value)
    if len(entities) == 1:
        return entities[0], None
    if len(entities) > 1:
        raise QueryError(f"[E022] several entities are labelled {value!r}: "
                         f"{', '.join(e.value for e in entities)}; give the IRI in <…>")
    if re.match(r"^[+-]?\d+$", value):
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), None
    if re.match(r"^[+-]?\d*\.\d+$", value):
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), None
    literal = ox.Literal(value) if value.isascii() else ox.Literal(value, language="zh")
    return literal, f"no entity is labelled {value!r}: bound as the literal {literal}"


def typed_iri(text: str) -> str | None:
    """The IRI a word a user typed names, or None: ``<http://…>`` or ``http://…`` as it is, ``id:entity/义乌市`` in
    kg's id space, ``kg:City``, ``rdfs:label`` … with kg's prefixes. One reading for every place a user types a term
    (``kg query --param``, curated fact files)."""
    from kg.graph.store import PREFIXES
    from kg.vocab import ID_NS

    word = text.strip()
    if word.startswith("<") and word.endswith(">"):
        return word[1:-1]
    if re.match(r"^https?://\S+$", word):
        return word
    m = re.match(r"^([A-Za-z][\w-]*):(\S+)$", word)
    if m and m.group(1) == "id":
        return str(ID_NS) + m.group(2)
    if m and m.group(1) in PREFIXES and re.fullmatch(r"\w[\w.-]*", m.group(2)):
        return PREFIXES[m.group(1)] + m.group(2)
    return None


def _is_kg_term(name: str) -> bool:
    from kg.vocab import KG

    try:
        KG[name]
    except (KeyError, AttributeError):
        return False
    return True


LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?text ?prefix WHERE {   # substituted variables must be projected
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
  FILTER (STR(?name) = ?text)
  FILTER (STRSTARTS(STR(?entity), ?prefix))
} ORDER BY ?entity
"""


def _entities_labelled(store, text: str) -> list:
    import pyoxigraph as ox

    from kg.vocab import ID_NS

    rows = store.query(LABELLED, {"text": ox.Literal(text), "prefix": ox.Literal(str(ID_NS) + "entity/")})
    entities = [row["entity"] for row in rows]
    if len(entities) > 1:   # prefer the entity whose own label it is over those that have it as an alias
        own = [e for e in entities
               if any(str(label.value) == text
                      for label in (q.object for q in store.db.quads_for_pattern(
                          e, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None, ox.DefaultGraph())))]
        entities = own or entities
    return entities


def bind_params(store, query: NamedQuery, params: dict[str, str]) -> tuple[dict, list[str]]:
    """The parameters as substitutions for ``query``, and notes for the user. Unknown parameter names fail."""
    unknown = sorted(set(params) - query.variables)
    if unknown:
        raise QueryError(f"[E023] query {query.name!r} has no parameter {', '.join('?' + u for u in unknown)}; "
                         f"its parameters: {query.params or '(none)'}")
    missing = [name for name in query.required if name not in params]
    if missing:
        raise QueryError(f"[E142] query {query.name!r} needs {', '.join('?' + m for m in missing)}: bind "
                         f"{'them' if len(missing) > 1 else 'it'} (kg query --param {missing[0]}=VALUE; in Python "
                         f"named_query({query.name!r}, {missing[0]}=VALUE)); its parameters: {query.params}")
    bindings, notes = {}, []
    for key, text in params.items():
        term, note = parse_value(store, text)
        bindings[key] = term
        if note:
            notes.append(f"?{key}: {note}")
    return bindings, notes


# The grammar's PN_CHARS (SPARQL 1.1, section 19.8): what the local part of a prefixed name is made of.
_PN_CHARS = ("A-Za-z0-9_\\-\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D\u203F\u2040"
             "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_ECHAR = r"""\\[tbnrf\\"']"""
_NOT_CODE = re.compile("|".join([   # where the word SERVICE is not the keyword, in the order the grammar reads them
    rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''", rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}))*"""',   # long strings
    rf"'(?:[^'\\\n\r]|{_ECHAR})*'", rf'"(?:[^"\\\n\r]|{_ECHAR})*"',                             # strings
    r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',                                                      # IRIs
    r"#[^\r\n]*",                                                                                # comments
    r"[?$]\w+",                                                                                  # variables
    rf":(?:[{_PN_CHARS}.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*",    # local names: kg:hasService
    r"\\.",                                                                   # a stray backslash and what it escapes
]))
_SERVICE = re.compile(r"SERVICE\s*(?:SILENT\s*)?(?:<(\d+)>)?", re.I)


def _code(sparql: str) -> tuple[str, list[str]]:
    """The query's keywords and punctuation as the parser reads them: ``\\uXXXX`` escapes read, strings, comments,
    variables and local names blanked, each IRI as ``<its index>`` in the list of IRIs returned with it."""
    text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), sparql)
    iris: list[str] = []

    def blank(m: re.Match) -> str:   # an IRI becomes <its index>, anything else a space
        if m.group("iri"):
            iris.append(m.group("iri")[1:-1])
            return f"<{len(iris) - 1}>"
        return " "

    return _NOT_CODE.sub(blank, text), iris


def refuse_service(sparql: str, allow: tuple[str, ...] = ()) -> None:
    """Raise QueryError if the query calls a SERVICE whose IRI does not start with one of ``allow``.

    Oxigraph answers ``SERVICE <url> {…}`` by fetching the URL, so without this any query could make kg a client of
    another service (an internal one; a port scan). The word SERVICE anywhere but in a string, a comment, an IRI, a
    variable or a local name counts, in any case and glued to what follows (Oxigraph runs ``SERVICESILENT<…>{…}``
    and ``SERVICE:x{…}``); ``\\uXXXX`` escapes are read first. This errs on the side of refusing: a prefix named
    ``service:`` is refused too. An allowed service must be named by its IRI in full (``<http://…>``).
    """
    code, iris = _code(sparql)
    for m in _SERVICE.finditer(code):
        target = iris[int(m.group(1))] if m.group(1) else None
        if not (target and any(target.startswith(prefix) for prefix in allow)):
            named = f"<{target}>" if target else "a service named by a variable or a prefixed name"
            raise QueryError(f"[E026] SPARQL SERVICE is refused: kg fetches no other endpoint ({named}"
                             f"{' is not in --allow-service' if allow else ''}); to allow one, give "
                             f"--allow-service URL_PREFIX and name the service in full, SERVICE <URL>")


def execute(store, sparql: str, bindings: dict | None = None, *, allow_service: tuple[str, ...] = ()):
    """Run SPARQL over the merged view and the ontology, with ``bindings`` in force: pyoxigraph's answer.

    The one place a query meets the database, for the command line and the Python API alike: SERVICE is refused
    unless allowed (``refuse_service``); an update, an unknown prefix and a syntax error fail with what and where.
    """
    refuse_service(sparql, allow_service)
    try:
        return store.query(sparql, bindings, with_ontology=True)
    except SyntaxError as error:
        raise _syntax_error(sparql, str(error)) from None
    except RuntimeError as error:   # e.g. a bound variable the query does not project
        raise QueryError(f"[E024] cannot run the query: {error}"
                         + ("; a bound parameter must be a projected variable (SELECT ?it … or SELECT *)"
                            if "projection" in str(error) else "")) from None


UPDATE = re.compile(r"\s*(?:(?:PREFIX\s*[\w.-]*\s*|BASE\s*)<\d+>\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                    re.I)


def _syntax_error(sparql: str, message: str) -> QueryError:
    """Oxigraph's ``error at 3:11: expected one of …`` as one line: an update is told queries are read-only, an
    undeclared prefix is named, anything else gets its line, column, what was expected and the text there."""
    update = UPDATE.match(_code(sparql)[0])
    if update:
        return QueryError(f"[E143] queries are read-only: this is a SPARQL update ({update.group(1).upper()}); "
                          f"change a graph with kg build, kg add-facts or kg remove")
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not m:
        return QueryError(f"[E140] SPARQL syntax error: {' '.join(message.split())}")
    line, column = int(m.group(1)), int(m.group(2))
    text = (sparql.splitlines() or [""])[min(line, len(sparql.splitlines() or [""])) - 1]
    if "Prefix not found" in m.group(3):
        names = re.findall(r"(?<![\w<:/#?$])([A-Za-z][\w.-]*)?:(?!//)", text[:column])
        name = f"{names[-1]}:" if names else "in a prefixed name"
        return QueryError(f"[E144] unknown prefix {name} (line {line}, column {column}); declared without PREFIX: "
                          f"{', '.join(sorted(_prefixes()))}; add PREFIX {name.rstrip(':') if names else 'p'}: <IRI>")
    expected = re.findall(r'"[^"]*"|\w+', re.sub(r"\[[^\]]*\]", "", m.group(3)).removeprefix("expected one of ")
                          .removeprefix("expected "))
    near = text[max(column - 16, 0):column + 8].strip()
    said = (("one of " if len(expected) > 1 else "") + ", ".join(expected[:8]) + (", …" if len(expected) > 8 else "")
            if expected else "a name")
    return QueryError(f"[E140] SPARQL syntax error (line {line}, column {column}): expected {said} (near {near!r})")


def _prefixes() -> dict[str, str]:
    from kg.graph.store import PREFIXES

    return PREFIXES


def run_query(folder: Path, sparql: str, bindings: dict | None = None, *,
              store=None, allow_service: tuple[str, ...] = ()) -> tuple[list[str], list[list[str]]]:
    """Run SPARQL over the graph in ``folder`` (the ontology included) and return (header, rows of ``Value``: the
    text of each term, with the term itself in ``.term`` for typed output). See ``execute``."""
    from kg.graph.store import GraphStore

    store = store or GraphStore.open_existing(folder)
    result = execute(store, sparql, bindings, allow_service=allow_service)
    if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
        return ASK_HEADER, [[Value(str(bool(result)).lower(), bool(result))]]
    if hasattr(result, "variables"):
        header = [v.value for v in result.variables]
        rows = [[_plain(solution[v]) for v in result.variables] for solution in result]
        return header, rows
    rows = [[_plain(t.subject), _plain(t.predicate), _plain(t.object)] for t in result]
    return ["subject", "predicate", "object"], rows


ASK_HEADER = ["ask"]


class Value(str):
    """A cell of an answer: the text of an RDF term, which it stays for tables and CSV, and the term itself in
    ``term`` (None when unbound; a bool for an ASK answer) for output that keeps types (SPARQL JSON results)."""

    def __new__(cls, text: str, term=None):
        value = super().__new__(cls, text)
        value.term = term
        return value


def run_named(folder: Path, name: str, params: dict[str, str] | None = None, *, ontology: Path, store=None,
              limit: int | None = None, offset: int = 0) -> tuple[list[str], list[list[str]], list[str]]:
    """Run the named query ``name`` with ``params`` (name -> value as typed): (header, rows, notes).

    ``limit`` and ``offset`` page its rows (``kg query --name entities --limit 100 --offset 200``): the listing queries
    (entities, documents, entities_by_class) order their rows down to a unique key, so consecutive pages neither
    repeat nor skip a row of an unchanged graph.
    """
    from kg.graph.store import GraphStore

    store = store or GraphStore.open_existing(folder)
    query = get_named_query(name, ontology)
    bindings, notes = bind_params(store, query, params or {})
    header, rows = run_query(folder, paged(query.text, limit, offset), bindings, store=store)
    return header, rows, notes


def paged(sparql: str, limit: int | None, offset: int = 0) -> str:
    """``sparql`` with LIMIT/OFFSET solution modifiers added at its end (the outer query's); unchanged without paging.

    A query that already ends with its own LIMIT or OFFSET cannot take a second one: that fails with [E027]."""
    if limit is None and not offset:
        return sparql
    if (limit is not None and limit < 0) or offset < 0:
        raise QueryError(f"[E027] cannot page this query: a page needs a limit and an offset of 0 or more, not {limit} and {offset}")
    tail = sparql[sparql.rfind("}") + 1:]
    if re.search(r"\b(LIMIT|OFFSET)\b", _uncommented(tail), re.I):
        raise QueryError("[E027] cannot page this query: it sets its own LIMIT or OFFSET")
    page = ([f"LIMIT {int(limit)}"] if limit is not None else []) + ([f"OFFSET {int(offset)}"] if offset else [])
    return f"{sparql.rstrip()}\n{' '.join(page)}\n"


def _uncommented(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def _plain(term) -> Value:
    return Value("" if term is None else term.value, term)


def shorten(value: str) -> str:
    """An IRI as a person reads it: ``id:entity/义乌市``, ``kg:departsFrom``; anything else unchanged."""
    from urllib.parse import unquote

    from kg.graph.store import PREFIXES
    from kg.vocab import ID_NS

    if value.startswith(str(ID_NS)):
        return "id:" + unquote(value[len(str(ID_NS)):])
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and re.fullmatch(r"[\w.-]+", value[len(ns):]):
            return f"{prefix}:{value[len(ns):]}"
    return value


def format_table(header: list[str], rows: list[list[str]], *, cell_width: int | None = None) -> str:
    """Rows as an aligned table (IRIs shortened, CJK characters counted as two columns); with ``cell_width``, a
    longer cell is cut to that many columns and ends with … (the full values: CSV, TSV or JSON)."""
    rows = [[_cut(" ".join(shorten(c).split()), cell_width) for c in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int | None) -> str:
    if width is None or _width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def format_tsv(header: list[str], rows: list[list[str]]) -> str:
    """Tab-separated rows with full values; a tab, newline or backslash in a value is written \\t, \\n, \\\\."""
    escape = lambda c: str(c).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return "".join("\t".join(map(escape, r)) + "\n" for r in [header, *rows])


def sparql_json(header: list[str], rows: list[list[str]]) -> dict:
    """The answer in the SPARQL 1.1 Query Results JSON Format: IRIs as ``uri``, literals with their datatype or
    language, blank nodes as ``bnode``, unbound variables left out; an ASK answer as ``boolean``. A cell without a
    term (a plain string) is a literal."""
    if header == ASK_HEADER and len(rows) == 1 and isinstance(getattr(rows[0][0], "term", None), bool):
        return {"head": {}, "boolean": rows[0][0].term}
    return {"head": {"vars": list(header)},
            "results": {"bindings": [{name: _json_term(cell) for name, cell in zip(header, row)
                                      if not (isinstance(cell, Value) and cell.term is None)} for row in rows]}}


def _json_term(cell) -> dict:
    import pyoxigraph as ox

    term = getattr(cell, "term", None)
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": str(cell)}
    if isinstance(term, ox.Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
    return out

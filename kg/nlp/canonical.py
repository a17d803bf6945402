"""One entity per real thing: the canonical key of a name, and the aliases a document declares.

A key is stable across documents and runs (it becomes the entity's IRI): a gazetteer name keeps the gazetteer's key;
any other name is keyed by its folded form (full/half width, case, dashes: ``kg.names.fold``) without spaces and
without the quotes that only mark it (“义新欧”中欧班列 and 义新欧中欧班列 are one route), and a company's legal
suffix is reduced (…股份有限公司, …有限责任公司, …有限公司 -> …公司) so that one company has one key however it is
written.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from kg.names import canonical_key, surface_key  # noqa: F401 (kg.nlp.canonical's API; they live below the stages)

# X（以下简称“Y”） / X(简称Y) / X，下称“Y”: Y is an alias of X
_SHORT_FORM = re.compile(r"[（(]\s*(?:以下)?(?:简称|下称|称)[：:]?\s*[“\"「]?([^（）()“”\"「」，,。；]{2,12})[”\"」]?\s*[)）]")


def short_forms(text: str) -> Iterator[tuple[int, int, str]]:
    """Each declared short form: (end of the full name, offset where the declaration ends, the short form)."""
    for m in _SHORT_FORM.finditer(text):
        yield m.start(), m.end(), m.group(1)

"""Build kg's spaCy pipeline: ``spacy.blank("zh")`` with the pkuseg segmenter, then kg's entity components."""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

from kg.nlp import entities  # noqa: F401  (registers the kg_entities factory)
from kg.nlp.segmenter import require_model
from kg.paths import ontology_dir


def load_pipeline(ontology: Path | None = None, *, statistical: bool = True) -> Language:
    """The whole pipeline, ready to run. Loading costs ~5 s and ~830 MB (the pkuseg model): do it once per process.

    ``statistical=False`` leaves out the MSRA-trained NER model (kg/models/msra_ner): rules and gazetteer only.
    """
    model = require_model()
    folder = Path(ontology) if ontology else ontology_dir()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    finder = nlp.add_pipe("kg_entities")
    finder.initialize(ontology=str(folder))
    if statistical:
        from kg.nlp import statistical as _  # noqa: F401  (registers the kg_statistical_ner factory)

        nlp.add_pipe("kg_statistical_ner", after="kg_entities").initialize()
    nlp.tokenizer.initialize(pkuseg_model=str(model), pkuseg_user_dict=finder.user_words or "default")
    return nlp

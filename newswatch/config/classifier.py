"""``[classifier]``: which analyzer the classify stage uses and where its model lives."""

from __future__ import annotations

from pydantic import Field

from newswatch.config.base import StrictModel


class ClassifierConfig(StrictModel):
    # "model": the local scikit-learn model plus gazetteer; "keywords": watch rules only.
    kind: str = Field("model", pattern=r"^(model|keywords)$")
    # Model directory (model.joblib + model.json). Empty: <data_dir>/models/default, built from
    # the bundled corpus (plus the user corpus) the first time it is needed.
    model_path: str = ""
    # Feedback from ``newswatch label``; empty: <data_dir>/corpus/user.jsonl.
    user_corpus_path: str = ""
    # How much one example of the user corpus weighs in training against one bundled example:
    # enough that articles worded like a corrected one follow the correction.
    feedback_weight: float = Field(20.0, ge=1.0, le=1000.0)
    batch_size: int = Field(256, ge=1, le=100_000)
    # The user's own groups (JSON array in the groups.json format, or TOML with [[groups]]
    # tables), merged with the bundled gazetteer and the [[groups]] of this file; re-read when
    # it changes while the service runs.
    groups_file: str = ""

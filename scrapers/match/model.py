"""The learned scorer: a logistic regression over named features, kept as plain JSON.

Inference is a dot product over the features a candidate has, so it needs neither
scikit-learn nor the network, and a model file is readable data (never a pickle): every
weight is named, which is also how the review card says why a passage was proposed.
`tracker matcher train` writes the file; `scrapers.match.training` fits it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = "pledge-tracker-matcher"
FORMAT_VERSION = 1
SHIPPED_PATH = Path(__file__).resolve().parent / "model.json"
# An install that refits on its own reviews (`tracker matcher train --from-reviews`) names
# its model file here; otherwise the model fitted on the corpus is used.
MODEL_VARIABLE = "MATCHER_MODEL"


class ModelError(ValueError):
    """A model file could not be read; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Model:
    """Weights by feature name and a bias; `about` records how and on what it was fitted."""

    bias: float
    weights: dict[str, float]
    about: dict[str, Any] = field(default_factory=dict)

    def logit(self, features: dict[str, float]) -> float:
        """Return the model's log-odds that a candidate is a commitment."""
        weights = self.weights
        return self.bias + sum(weights.get(name, 0.0) * value for name, value in features.items())

    def score(self, features: dict[str, float]) -> float:
        """Return the probability that a candidate is a commitment."""
        logit = max(-30.0, min(30.0, self.logit(features)))
        return 1.0 / (1.0 + math.exp(-logit))

    def reasons(self, features: dict[str, float], count: int = 4) -> list[tuple[str, float]]:
        """Return the features that raised the score most, with what each added."""
        weights = self.weights
        added = [
            (name, weights[name] * value) for name, value in features.items() if name in weights
        ]
        return sorted((item for item in added if item[1] > 0), key=lambda item: -item[1])[:count]

    def to_json(self) -> str:
        """Serialise the model as stable, diff-friendly JSON."""
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "about": self.about,
                "bias": round(self.bias, 6),
                "weights": {name: round(w, 6) for name, w in sorted(self.weights.items())},
            },
            indent=1,
            sort_keys=False,
            ensure_ascii=False,
        )


def model_from_json(data: str | bytes) -> Model:
    """Read a model written by `Model.to_json`, checking every field."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise ModelError(f"the model file is not JSON ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ModelError(f"the model file is not a {FORMAT} file")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"model format version {raw.get('format_version')!r} is not supported")
    bias, weights, about = raw.get("bias"), raw.get("weights"), raw.get("about", {})
    if not isinstance(bias, int | float) or not isinstance(weights, dict):
        raise ModelError("the model file needs a numeric bias and a weights object")
    if not isinstance(about, dict):
        raise ModelError("the model file's about field must be an object")
    for name, weight in weights.items():
        if not isinstance(weight, int | float) or not math.isfinite(weight):
            raise ModelError(f"weight {name!r} is not a finite number")
    return Model(float(bias), {name: float(w) for name, w in weights.items()}, about)


def load_model(path: Path) -> Model:
    """Read a model file."""
    return model_from_json(path.read_bytes())


@lru_cache(maxsize=1)
def default_model() -> Model:
    """Return this install's model, or the shipped one (read once per process)."""
    return load_model(Path(os.environ.get(MODEL_VARIABLE) or SHIPPED_PATH))

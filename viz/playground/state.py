"""The playground's setup: every control in one table, one object that round-trips
through a page's address (TensorFlow Playground's ``state.ts``).

A :class:`Setup` holds what the learner chooses -- the data, the network, the training
-- and which controls a teacher hid (``hide``).  ``Setup.from_query(setup.to_query())
== setup``: the query is the served page's address after ``#``, so a teacher shares a
prepared exercise as a link, and ``Playground.from_setup(link)`` opens the same one in a
notebook.  ``to_dict`` / ``from_dict`` are the same object as JSON (the widget's trait).

    >>> Setup(data="spiral", hidden=(8, 8)).to_query()[:40]
    'data=spiral&problem=classification&noise'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "bumps")
PROBLEMS = {"classification": CLASSIFICATION, "regression": REGRESSION}
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")
MAX_LAYERS, MAX_NEURONS = 6, 8


def _choice(*choices: str) -> dict[str, Any]:
    return {"choices": choices}


def _between(low: float, high: float) -> dict[str, Any]:
    return {"range": (low, high)}


@dataclasses.dataclass(frozen=True)
class Setup:
    """Every control of the playground (the field's metadata says what it accepts).

    ``data`` is one of the problem's data sets; ``noise`` in [0, 0.5]; ``train_percent``
    of the points train, the rest test; ``hidden`` the hidden layers' widths (up to 6
    layers of up to 8 neurons, none for a linear model); ``features`` what the network is
    fed, computed from each point (x1, x2, x1², x2², x1·x2, sin x1, sin x2);
    ``regularization`` none, L1 (rate × Σ|w|) or L2 (rate × Σw²) added to the loss;
    ``hide`` names of controls the page does not show; ``own`` says what the learner gave
    instead of the controls ('model', 'data'): a setup with ``own`` opens again only with
    the learner's objects (:meth:`viz.Playground.from_setup`).
    """

    data: str = dataclasses.field(default="moons", metadata=_choice(*CLASSIFICATION, *REGRESSION))
    problem: str = dataclasses.field(default="classification", metadata=_choice(*PROBLEMS))
    noise: float = dataclasses.field(default=0.1, metadata=_between(0.0, 0.5))
    train_percent: int = dataclasses.field(default=50, metadata=_between(10, 90))
    points: int = dataclasses.field(default=200, metadata=_between(20, 2000))
    features: tuple[str, ...] = dataclasses.field(default=("x1", "x2"), metadata=_choice(*FEATURES))
    hidden: tuple[int, ...] = dataclasses.field(default=(4, 4), metadata=_between(1, MAX_NEURONS))
    activation: str = dataclasses.field(default="tanh", metadata=_choice(*ACTIVATIONS))
    lr: float = dataclasses.field(default=0.03, metadata=_between(1e-5, 10.0))
    batch_size: int = dataclasses.field(default=10, metadata=_between(1, 2000))
    regularization: str = dataclasses.field(default="none", metadata=_choice(*REGULARIZATIONS))
    reg_rate: float = dataclasses.field(default=0.0, metadata=_between(0.0, 10.0))
    seed: int = dataclasses.field(default=0, metadata=_between(0, 2**31 - 1))
    hide: tuple[str, ...] = dataclasses.field(default=(), metadata={"choices": ()})
    own: tuple[str, ...] = dataclasses.field(default=(), metadata=_choice("model", "data"))

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            object.__setattr__(self, spec.name, _checked(spec, getattr(self, spec.name)))
        if self.data not in PROBLEMS[self.problem]:
            raise ValueError(f"Setup: data {self.data!r} is not a {self.problem} data set; "
                             f"expected one of {', '.join(PROBLEMS[self.problem])}")  # fmt: skip
        if not self.features:
            raise ValueError("Setup: features must name at least one input feature")
        if len(self.hidden) > MAX_LAYERS:
            raise ValueError(f"Setup: at most {MAX_LAYERS} hidden layers, received "
                             f"{len(self.hidden)}")  # fmt: skip

    def replace(self, **changes: Any) -> Setup:
        """A copy with ``changes`` (checked); switching the problem picks its first data
        set unless ``data`` is given too."""
        if "problem" in changes and "data" not in changes \
                and self.data not in PROBLEMS[changes["problem"]]:  # fmt: skip
            changes["data"] = PROBLEMS[changes["problem"]][0]
        return dataclasses.replace(self, **changes)

    # -- as JSON ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The setup as plain JSON values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Setup:
        """A setup from :meth:`to_dict`'s form; missing fields keep their defaults,
        an unknown one is a ValueError naming it."""
        if not isinstance(values, Mapping):
            raise TypeError(f"Setup.from_dict needs a dict, not {type(values).__name__}")
        unknown = sorted(set(values) - {spec.name for spec in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"Setup: unknown control(s) {', '.join(map(repr, unknown))}; "
                             f"expected some of {', '.join(CONTROLS)}")  # fmt: skip
        return cls(**values)

    # -- as an address ------------------------------------------------------------------
    def to_query(self) -> str:
        """``data=moons&problem=classification&...``: every field, lists comma-separated."""
        parts = []
        for key, value in vars(self).items():
            text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
            parts.append(f"{key}={quote(text, safe=',.^-')}")
        return "&".join(parts)

    @classmethod
    def from_query(cls, text: str) -> Setup:
        """A setup from :meth:`to_query`'s text, or from a whole address holding it after
        ``#`` (the served page's); missing fields keep their defaults."""
        if not isinstance(text, str):
            raise TypeError(f"Setup.from_query needs a str, not {type(text).__name__}")
        if "#" in text:
            text = text.split("#", 1)[1]
        elif "://" in text or text.startswith("/"):
            text = ""  # an address without a setup: the defaults
        values: dict[str, Any] = {}
        specs = {spec.name: spec for spec in dataclasses.fields(cls)}
        for key, raw in parse_qsl(text, keep_blank_values=True):
            if key not in specs:
                raise ValueError(f"Setup: unknown control {key!r} in the address; expected "
                                 f"some of {', '.join(CONTROLS)}")  # fmt: skip
            values[key] = _parsed(specs[key], raw)
        return cls(**values)


CONTROLS = tuple(spec.name for spec in dataclasses.fields(Setup)
                 if spec.name not in ("hide", "own"))  # fmt: skip
"""The names of the controls, as ``hide`` takes them."""


def _parsed(spec: dataclasses.Field, raw: str) -> Any:
    """A field's value from its text in an address (checked later by _checked)."""
    kind = spec.type
    try:
        if kind.startswith("tuple"):
            items = [item for item in raw.split(",") if item]
            return tuple(int(item) for item in items) if "int" in kind else tuple(items)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ValueError(f"Setup: {spec.name}={raw!r} is not a {kind.split('[')[0]}") from None
    return raw


def _checked(spec: dataclasses.Field, value: Any) -> Any:
    """``value`` as the field's type, within its choices or range; ValueError or
    TypeError naming the field and the value otherwise."""
    name, kind = spec.name, spec.type
    if kind.startswith("tuple"):
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise TypeError(f"Setup: {name} must be a list, not {type(value).__name__}")
        item_spec = dataclasses.field(metadata=spec.metadata)
        item_spec.name, item_spec.type = name, "int" if "int" in kind else "str"
        items = tuple(_checked(item_spec, item) for item in value)
        if name == "hide":
            unknown = [item for item in items if item not in CONTROLS]
            if unknown:
                raise ValueError(f"Setup: hide names unknown control(s) {unknown}; expected "
                                 f"some of {', '.join(CONTROLS)}")  # fmt: skip
        if name == "features":  # each once, in the table's order
            return tuple(f for f in FEATURES if f in items)
        return items
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"Setup: {name} must be a str, not {type(value).__name__}")
        choices = spec.metadata.get("choices")
        if choices and value not in choices:
            raise ValueError(f"Setup: {name} must be one of {', '.join(choices)}, not {value!r}")
        return value
    wanted = int if kind == "int" else float
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (wanted is int and not float(value).is_integer()):  # fmt: skip
        raise TypeError(f"Setup: {name} must be a{'n int' if wanted is int else ' number'}, "
                        f"not {value!r}")  # fmt: skip
    value = wanted(value)
    low, high = spec.metadata["range"]
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"Setup: {name} must be in [{low}, {high}], received {value}")
    return value

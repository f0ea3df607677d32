"""``Playground``: the live playground as a notebook widget (anywidget: JupyterLab,
Notebook 7, VS Code, Colab).

The widget is the host: its synced traits are the controller's state
(:data:`viz.playground.live.STATE`), its front end the one JavaScript module
``playground.js`` that the served page runs too.  Training happens in the kernel, on the
kernel's event loop, an epoch at a time (:mod:`viz.playground.live`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

import nn

from .live import Controller
from .session import Session
from .state import Setup

_HERE = Path(__file__).parent


class Playground(anywidget.AnyWidget):
    """A network learning live, with TensorFlow Playground's controls and views.

    Without ``model`` it trains an ``nn.MLP`` built from the controls: ``data`` (circle,
    xor, gauss, spiral, moons; plane or bumps for ``problem="regression"``), ``hidden``
    widths, ``activation``, ``features`` fed to it, ``lr``, ``batch_size``,
    ``regularization`` ("none", "L1", "L2") at ``reg_rate``, ``noise``,
    ``train_percent``, ``points`` and ``seed`` (see :class:`viz.playground.Setup`).
    Given the learner's ``model`` (and optionally ``X``, ``y``, ``loss``, ``optimizer``)
    it trains those; the controls they decide are not shown, and ``lr`` is the
    optimizer's own unless given.  ``hide`` names controls the view leaves out; ``lang``
    is ``"en"`` or ``"pt-BR"``.

    ``play()``, ``pause()``, ``step(n)``, ``reset()``; the traits ``epoch``,
    ``train_loss``, ``test_loss`` follow the training; ``setup`` is the whole setup as
    a dict, ``query`` as the served page's address fragment (see :meth:`from_setup`).
    """

    _esm = _HERE / "playground.js"
    _css = _HERE / "playground.css"

    setup = traitlets.Dict().tag(sync=True)
    query = traitlets.Unicode().tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    text = traitlets.Dict().tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    epoch = traitlets.Int(0).tag(sync=True)
    train_loss = traitlets.Float(0.0).tag(sync=True)
    test_loss = traitlets.Float(0.0).tag(sync=True)
    scene = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    detail = traitlets.Unicode().tag(sync=True)
    note = traitlets.Unicode().tag(sync=True)

    def __init__(self, model: Any = None, X: Any = None, y: Any = None, *,
                 loss: Callable | str | None = None,
                 optimizer: nn.optim.Optimizer | None = None,
                 data: str = "moons", hidden: Sequence[int] = (4, 4), activation: str = "tanh",
                 lr: float | None = None, problem: str | None = None, noise: float = 0.1,
                 train_percent: int = 50, points: int = 200,
                 features: Sequence[str] = ("x1", "x2"), batch_size: int = 10,
                 regularization: str = "none", reg_rate: float = 0.0, seed: int = 0,
                 hide: Sequence[str] = (), lang: str = "en",
                 setup: Setup | None = None) -> None:  # fmt: skip
        if setup is None:
            if lr is None:  # the learner's optimizer keeps its rate; else the playground's 0.03
                lr = optimizer.lr if isinstance(optimizer, nn.optim.Optimizer) else 0.03
            if problem is None:
                problem = "regression" if data in ("plane", "bumps") else "classification"
            setup = Setup(data=data, problem=problem, noise=noise, train_percent=train_percent,
                          points=points, features=tuple(features), hidden=tuple(hidden),
                          activation=activation, lr=lr, batch_size=batch_size,
                          regularization=regularization, reg_rate=reg_rate, seed=seed,
                          hide=tuple(hide))  # fmt: skip
        session = Session(setup, model, X, y, loss, optimizer)
        self._publishing = False
        self._controller = Controller(session, lang, self._publish)
        super().__init__(**self._controller.state)
        self.observe(self._changed, names=["setup", "playing"])
        self.on_msg(self._message)

    @classmethod
    def from_setup(cls, setup: Setup | dict[str, Any] | str, model: Any = None, X: Any = None,
                   y: Any = None, *, loss: Callable | str | None = None,
                   optimizer: nn.optim.Optimizer | None = None, lang: str = "en"
                   ) -> Playground:  # fmt: skip
        """The playground of a saved setup: a :class:`Setup`, its ``to_dict()``, its
        ``to_query()``, or the whole address of a served playground (the part after
        ``#``) -- the link a teacher shares."""
        if isinstance(setup, str):
            setup = Setup.from_query(setup)
        elif not isinstance(setup, Setup):
            setup = Setup.from_dict(setup)
        return cls(model, X, y, loss=loss, optimizer=optimizer, lang=lang, setup=setup)

    # -- the host's side of the controller ----------------------------------------------
    def _publish(self, changes: dict[str, Any]) -> None:
        if not hasattr(self, "_trait_values") or not self.has_trait("frame"):
            return  # still being made: __init__ passes the state whole
        self._publishing = True
        try:
            with self.hold_sync():
                for name, value in changes.items():
                    setattr(self, name, value)
        finally:
            self._publishing = False

    def _changed(self, change: dict[str, Any]) -> None:
        if not self._publishing:
            self._controller.change({change["name"]: change["new"]})

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        self._controller.message(content)

    # -- the Python API ------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The training behind the widget: model, optimizer, data, losses."""
        return self._controller.session

    @property
    def model(self) -> Any:
        """The model being trained (the learner's own, or the one the controls built)."""
        return self._controller.session.model

    def play(self) -> None:
        """Train on, an epoch per frame, until :meth:`pause` (the kernel stays free)."""
        self._controller.play()

    def pause(self) -> None:
        """Stop training after the current epoch."""
        self._controller.pause()

    def step(self, n: int = 1) -> None:
        """Train ``n`` epochs now."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"step: n must be a whole number >= 1, received {n!r}")
        self._controller.step(n)

    def reset(self) -> None:
        """Back to epoch 0: new weights from the seed (the learner's model back to its
        starting weights), paused."""
        self._controller.reset()

    def close(self) -> None:
        """Stop training and close the widget (its views disappear)."""
        controller = getattr(self, "_controller", None)  # None: __init__ raised
        if controller is not None:
            controller.pause()
        super().close()

    def configure(self, setup: Setup | dict[str, Any] | str | None = None, **controls: Any
                  ) -> None:  # fmt: skip
        """Change controls, as the view does: ``pg.configure(lr=0.3, data="spiral")``."""
        base = Setup.from_dict(self.setup) if setup is None else setup
        if controls:
            base = (base if isinstance(base, Setup) else Setup.from_dict(base)).replace(**controls)
        self._controller.configure(base)

"""The live playground's controller: a :class:`Session`, the state its views read, and the
play loop -- shared by both hosts, the notebook widget and the served page.

The state is a dict of named values, the widget's synced traits (:data:`STATE`).  A view
changes ``setup`` or ``playing`` and sends messages (``step``, ``reset``, ``neuron``,
``drawn``); the controller answers by publishing changed values.  While playing, an
asyncio task on the host's event loop (the kernel's, or the server's) trains one epoch
per frame, publishes the frame and yields, so the kernel answers other cells between
epochs.  It never waits for a view: it publishes a frame only when the views have drawn
the previous ones (``drawn``), or at least once a second, so a slow view never falls
behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from .. import i18n
from .explain import neuron_step_through
from .frames import Frames
from .session import Session
from .state import Setup

STATE: dict[str, type] = {
    "setup": dict, "query": str, "lang": str, "text": dict, "playing": bool, "epoch": int,
    "train_loss": float, "test_loss": float, "scene": dict, "frame": dict, "detail": str,
    "note": str,
}  # fmt: skip
"""Every value a view reads, with its type: the widget's traits, the page's model."""

FRAME_SECONDS = 1 / 60  # at most 60 frames a second
UNDRAWN = 3  # frames published but not yet drawn, beyond which the loop waits for the views
WAIT_SECONDS = 1.0  # ... but at most this long


class Controller:
    """The session behind a playground and its state; ``publish(changes)`` is the host's
    way of sending changed values to its views."""

    def __init__(self, session: Session, lang: str, publish: Callable[[dict[str, Any]], None]
                 ) -> None:  # fmt: skip
        self.session = session
        self.lang = i18n.check_lang(lang)
        self._publish = publish
        self._frames = Frames(session)
        self._task: asyncio.Task | None = None
        self._undrawn, self._published_at = 0, 0.0
        self.state: dict[str, Any] = {
            "setup": session.setup.to_dict(), "query": session.setup.to_query(),
            "lang": self.lang, "text": i18n.section(self.lang, "live"), "playing": False,
            "detail": "", "note": self._engine_note(), "scene": self._frames.scene(),
            **self._progress(), "frame": self._frames.frame(),
        }  # fmt: skip

    # -- what views read ---------------------------------------------------------------
    def _engine_note(self) -> str:
        session = self.session
        if session.engine == "compiled":
            return ""
        return i18n.text(self.lang, "live.scalar_engine", reason=session.engine_note)

    def _progress(self) -> dict[str, Any]:
        session = self.session
        return {"epoch": session.epoch, "train_loss": session.train_losses[-1],
                "test_loss": session.test_losses[-1]}  # fmt: skip

    def _send(self, **changes: Any) -> None:
        self.state.update(changes)
        self._publish(changes)

    def _send_frame(self) -> None:
        self._undrawn += 1
        self._published_at = time.monotonic()
        self._send(**self._progress(), frame=self._frames.frame())

    def _start_over(self) -> None:
        """After a reset or a new setup: a new scene and its first frame."""
        self._frames = Frames(self.session)
        setup = self.session.setup
        self._send(setup=setup.to_dict(), query=setup.to_query(), scene=self._frames.scene(),
                   detail="", note=self._engine_note())  # fmt: skip
        self._send_frame()

    # -- what views and the Python API ask ----------------------------------------------
    def change(self, changes: dict[str, Any]) -> None:
        """Values a view (or the learner) set: ``setup`` (a dict) and ``playing``."""
        if "setup" in changes and changes["setup"] != self.state["setup"]:
            self.configure(changes["setup"])
        if "playing" in changes and changes["playing"] != self.state["playing"]:
            self.play() if changes["playing"] else self.pause()

    def configure(self, setup: Setup | dict[str, Any] | str) -> None:
        """A new setup (a Setup, its dict, or its query / address); a bad one is refused
        with a note, the setup staying as it was."""
        try:
            if isinstance(setup, str):
                setup = Setup.from_query(setup)
            elif not isinstance(setup, Setup):
                setup = Setup.from_dict(setup)
        except (TypeError, ValueError) as error:
            self._send(setup=dict(self.state["setup"]), note=str(error))
            return
        if self.session.configure(setup):
            self._start_over()
        else:
            setup = self.session.setup
            self._send(setup=setup.to_dict(), query=setup.to_query(), note=self._engine_note())

    def message(self, content: dict[str, Any]) -> None:
        """A view's message: ``{"kind": "step" | "reset" | "drawn" | "neuron", ...}``."""
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind == "step":
            self.step()
        elif kind == "reset":
            self.reset()
        elif kind == "drawn":
            self._undrawn = 0
        elif kind == "neuron":
            self.explain(content.get("layer"), content.get("index"))
        elif kind == "address":
            self.configure(str(content.get("query", "")))
        elif kind == "close":
            self._send(detail="")

    def step(self, n: int = 1) -> None:
        """Train ``n`` epochs now and show the last."""
        self._train(n)
        self._send_frame()

    def reset(self) -> None:
        """Start over from epoch 0 (paused)."""
        self.pause()
        self.session.reset()
        self._start_over()

    def explain(self, layer: Any, index: Any) -> None:
        """Show the step-through of one sample's backward pass to neuron (layer, index)."""
        if not all(isinstance(k, int) and not isinstance(k, bool) for k in (layer, index)):
            return
        try:
            page = neuron_step_through(self.session, layer, index, self.lang).html
        except IndexError:
            return
        self._send(detail=page)

    def _train(self, epochs: int) -> bool:
        """Train; on a step that overflows (the learning rate too large), pause with a note
        saying so.  True when training went well."""
        try:
            self.session.train(epochs)
        except (ArithmeticError, ValueError) as error:
            self.pause()
            self._send(note=i18n.text(self.lang, "live.diverged", error=str(error)))
            return False
        return True

    # -- playing -------------------------------------------------------------------------
    def play(self) -> None:
        """Train on, one epoch per frame, until :meth:`pause`; returns at once (the
        training runs on the running event loop, between everything else it does)."""
        if self._task is None or self._task.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError("play() trains on the running event loop (a notebook's "
                                   "kernel, or the served page's); without one, call "
                                   "step(n)") from None  # fmt: skip
            self._task = loop.create_task(self._run())
        if not self.state["playing"]:
            self._send(playing=True)

    def pause(self) -> None:
        """Stop after the current epoch."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self.state["playing"]:
            self._send(playing=False)

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            if not self._train(1):
                return
            behind = self._undrawn >= UNDRAWN and started - self._published_at < WAIT_SECONDS
            if behind:
                self._send(**self._progress())
            else:
                self._send_frame()
            await asyncio.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - started)))

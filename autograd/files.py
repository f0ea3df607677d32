"""The project's files: durable writes and strict JSON reads, in one place.

Every file chaingrad writes (models, checkpoints, answer keys, pages) goes through
:func:`write_atomic` and every JSON file it reads through :func:`read_json`, so all of
them share the same guarantees:

* a write never leaves a half-written file under the final name, even if the process
  is killed or the machine crashes: the text goes to ``<path>.tmp``, which is flushed
  and fsynced, then renamed over ``<path>``, and the folder is fsynced so the rename
  itself is on disk.  The temporary has a fixed name, so one left by a killed write is
  replaced by the next write of the same file instead of piling up;
* a read of a corrupt file raises ``ValueError`` naming the file -- truncated or
  invalid JSON, text that is not UTF-8, NaN/Infinity (which JSON does not allow), a key
  given twice, or nesting so deep that Python's parser would run out of stack.
"""

from __future__ import annotations

import json
import os
from typing import Any

__all__ = ["parse_json", "read_json", "temporary_path", "write_atomic"]


def temporary_path(path: str | os.PathLike) -> str:
    """Where :func:`write_atomic` writes ``path`` before renaming it: ``<path>.tmp``."""
    return os.fspath(path) + ".tmp"


def _fsync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable, where the platform can open folders."""
    try:
        descriptor = os.open(folder or ".", os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its rename is durable on its own
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems refuse to fsync a folder
        pass
    finally:
        os.close(descriptor)


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` so that a reader sees the
    old file or the whole new one, never a part: temporary file, flush + fsync, rename,
    fsync of the folder."""
    path = os.fspath(path)
    temporary = temporary_path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    folder = os.path.dirname(path)
    if folder and not os.path.isdir(folder):  # named here: open() would name the temporary
        raise FileNotFoundError(f"cannot write {path}: there is no folder {folder}")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):  # the write or the rename failed
            os.remove(temporary)
    _fsync_folder(folder)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; ValueError for a key given twice (json keeps the last)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {twice!r} appears twice")
    return document


def parse_json(text: str, source: str) -> Any:
    """The JSON document in ``text``; ``ValueError`` starting with ``source`` (say
    'load: model.json') for anything but a well-formed document (see the module
    docstring), naming the line of a syntax error."""
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise ValueError(f"{source} line {error.lineno}: not valid JSON (corrupt or "
                         f"truncated?): {error.msg}") from None  # fmt: skip
    except RecursionError:
        raise ValueError(f"{source}: nested too deeply to be a chaingrad file "
                         "(corrupt or hostile JSON)") from None  # fmt: skip
    except ValueError as error:
        raise ValueError(f"{source}: {error}") from None


def read_json(path: str | os.PathLike, caller: str = "load") -> Any:
    """The JSON document in the file ``path``, parsed by :func:`parse_json`; errors
    start with '<caller>: <path>'.  ``FileNotFoundError`` and other OS errors pass
    through unchanged."""
    path = os.fspath(path)
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{caller}: {path} is not a text (JSON) file: {error}") from None
    return parse_json(text, f"{caller}: {path}")

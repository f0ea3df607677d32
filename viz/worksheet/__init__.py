"""Printable backprop worksheets: one sheet and one answer key per student.

The problems, keys and the grader are the engine's (:mod:`autograd.exercises`); this
package draws the pages (:func:`student_page`, :func:`key_page`) and holds the command
line ``python -m viz.worksheet`` (generate, ``grade KEY ANSWERS``,
``grade KEY --template blank.csv``).
"""

from .pages import key_page, student_page

__all__ = ["key_page", "student_page"]

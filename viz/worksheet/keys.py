"""Answer keys: every asked gradient, how it is reached, and the slips that would miss it.

For each asked node the key holds ``dL/dnode``, its terms (one per use of the node:
upstream gradient × local derivative, with the rule written out in the key's language as
the step-through writes it, :func:`viz.rules.local_rule`) and the
wrong values three typical slips give, so the grader can name the likely one:

- ``sign``: the right size with the wrong sign;
- ``paths``: a node used twice got the gradient of one use only (the two paths through
  a shared node were not added up), and so did everything computed from it;
- ``swap``: in one op's local derivative the input and the output were mixed up
  (``1/out`` for ``log``, ``1 - x^2`` for ``tanh``), and the error flowed on from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Value, local_partials, topological_order

from ..rules import local_rule, plain
from ..stepper import names_of
from ..view import graph_of
from .compare import matches
from .handwork import backprop, swapped_partials, uses
from .problems import OUTPUT, Problem

FORMAT = "chaingrad worksheet key"
VERSION = 1


RuleOf = Callable[[Value, int], str]  # (node, input i) -> the local derivative, written out


def _rules(root: Value, lang: str) -> RuleOf:
    """The written-out local derivatives of ``root``'s graph in ``lang``, with the numbers
    put in: (z, 0) -> '∂z/∂x = 3·x^2 = 3 × 2.0000^2 = 12.0000'."""
    drawn = graph_of(root)
    by_value = {id(node.source): node for node in drawn}
    names = names_of(drawn)
    return lambda node, i: plain(local_rule(by_value[id(node)], i, names, lang))


def _slip_values(order: list[Value], rule_of: RuleOf
                 ) -> list[tuple[dict[str, Any], dict[Value, float]]]:  # fmt: skip
    """Every (slip, gradients with that slip) of the graph, in the order they are tried."""
    found = []
    for node, edges in uses(order).items():
        if len(edges) > 1 and node.label:
            for edge in edges:
                slip = {"kind": "paths", "at": node.label, "paths": len(edges)}
                found.append((slip, backprop(order, only=(node, edge))))
    for node in order:
        for i, child in enumerate(node.inputs):
            if not child.label:
                continue  # a constant (an exponent): nobody differentiates it by hand
            for partial in swapped_partials(node, i):
                slip = {"kind": "swap", "at": node.label, "op": node.op,
                        "rule": rule_of(node, i)}  # fmt: skip
                found.append((slip, backprop(order, local={(node, i): partial})))
    return found


def problem_key(problem: Problem, lang: str = "en") -> list[dict[str, Any]]:
    """One entry per asked node: ``node``, ``data``, ``grad``, ``terms`` and ``slips``
    (the rules in them written in ``lang``)."""
    nodes = problem.build()
    order = topological_order(nodes[OUTPUT])
    grads = backprop(order)
    used = uses(order)
    rule_of = _rules(nodes[OUTPUT], lang)
    slipped = _slip_values(order, rule_of)
    entries = []
    for name in problem.asked:
        node, expected = nodes[name], grads[nodes[name]]
        terms = []
        for user, i in used[node]:
            local = float(local_partials(user)[i])
            terms.append({"via": user.label, "op": user.op, "rule": rule_of(user, i),
                          "upstream": grads[user], "local": local,
                          "value": grads[user] * local})  # fmt: skip
        slips: list[dict[str, Any]] = []
        candidates = ([({"kind": "sign"}, -expected)] if expected else []) + [
            (slip, values[node]) for slip, values in slipped
        ]
        for slip, value in candidates:
            seen = [expected] + [s["value"] for s in slips]
            if not any(matches(value, v) or matches(v, value) for v in seen):
                slips.append({**slip, "value": value})
        entries.append({"node": name, "data": node.data, "grad": expected, "terms": terms,
                        "slips": slips})  # fmt: skip
    return entries


def answer_key(
    assignments: list[tuple[str, int, Problem]], *, seed: int, level: int, lang: str
) -> dict[str, Any]:
    """The machine-readable key of a class: ``answers`` (rows of student, problem, node,
    value) and, per (student, problem), the problem's seed, expression and node entries."""
    problems, answers = [], []
    for student, number, problem in assignments:
        entries = problem_key(problem, lang)
        problems.append({
            "student": student, "problem": number, "seed": problem.seed, "level": level,
            "expression": problem.expression(), "steps": problem.equations(),
            "inputs": dict(problem.inputs), "nodes": entries,
        })  # fmt: skip
        answers += [{"student": student, "problem": number, "node": e["node"],
                     "value": e["grad"]} for e in entries]  # fmt: skip
    return {"format": FORMAT, "version": VERSION, "seed": seed, "level": level, "lang": lang,
            "problems": problems, "answers": answers}  # fmt: skip

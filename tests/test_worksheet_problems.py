"""Worksheet problems, keys and the grader (viz.worksheet): no pictures here."""

import csv
import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import grad, numerical_grad, topological_order
from viz.worksheet import (
    ASKED,
    LEVELS,
    OUTPUT,
    WorksheetError,
    answer_key,
    class_problems,
    generate_problem,
    grade,
    load_key,
    matches,
    problem_key,
    read_answers,
    read_roster,
    report,
    scores_csv,
    template_csv,
)
from viz.worksheet.grading import FORMULA_STARTS, from_spreadsheet, spreadsheet_text

SEEDS = range(2000)


def uses(problem):
    """node name -> how many times a step uses it."""
    count = {name: 0 for name, _ in problem.inputs}
    for step in problem.steps:
        count[step.node] = 0
        for arg in step.args:
            if isinstance(arg, str):
                count[arg] += 1
    return count


def check_domain(problem):
    """Every op's input is well inside its domain and every number is readable."""
    nodes = problem.build()
    order = topological_order(nodes[OUTPUT])
    for node in order:
        assert math.isfinite(node.data) and abs(node.data) <= 100
        xs = [v.data for v in node.inputs]
        if node.op == "log":
            assert xs[0] >= 0.2, problem
        if node.op == "pow":
            assert xs[1] in (2.0, 3.0, -1.0)
            assert xs[1] > 0 or abs(xs[0]) >= 0.5, problem  # no 1/x near 0
        if node.op in ("tanh", "sigmoid", "exp"):
            assert abs(xs[0]) <= 3.0, problem  # not saturated, no huge e^x
        if node.op == "div":
            pytest.fail("no division: 1/x is pow(x, -1)")


def test_2000_seeds_per_level_stay_in_their_domains_and_have_the_levels_shape():
    for level in LEVELS:
        for seed in SEEDS:
            problem = generate_problem(seed, level)
            check_domain(problem)
            ops = [step.op for step in problem.steps]
            shared = [name for name, n in uses(problem).items() if n > 1]
            inputs = {name for name, _ in problem.inputs}
            if level == 1:
                assert 3 <= len(ops) <= 5 and set(ops) <= {"add", "mul"}
                assert len(shared) == 1 and shared[0] in inputs
            elif level == 2:
                assert 5 <= len(ops) <= 9 and not set(ops) <= {"add", "mul"}
                assert set(ops) <= {"add", "mul", "tanh", "sigmoid", "exp", "log", "pow"}
                assert len(shared) == 1 and shared[0] not in inputs
            else:
                assert ops[-2:] == ["sub", "pow"] and ({"tanh", "sigmoid"} & set(ops))
            assert problem.steps[-1].node == OUTPUT and problem.asked


@given(st.integers(min_value=0, max_value=2**64), st.sampled_from(LEVELS))
def test_any_seed_gives_a_problem_in_its_domain(seed, level):
    check_domain(generate_problem(seed, level))


def test_level_one_numbers_are_exact_to_four_decimals():
    for seed in range(300):
        problem = generate_problem(seed, 1)
        for entry in problem_key(problem):
            for x in (entry["data"], entry["grad"]):
                assert abs(x * 1e4 - round(x * 1e4)) < 1e-6, (seed, entry)


@pytest.mark.parametrize("level", LEVELS)
def test_the_key_equals_autograd_grad_and_finite_differences(level):
    for seed in range(150):
        problem = generate_problem(seed, level)
        nodes = problem.build()
        entries = problem_key(problem)
        asked = [nodes[e["node"]] for e in entries]
        engine = [g.data for g in grad(nodes[OUTPUT], asked)]
        for entry, expected in zip(entries, engine):
            assert entry["grad"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        numeric = numerical_grad(problem, [value for _, value in problem.inputs])
        key = {e["node"]: e["grad"] for e in entries}
        for (name, _), slope in zip(problem.inputs, numeric):
            if name in key:
                assert key[name] == pytest.approx(slope, rel=1e-6, abs=1e-7), (seed, name)
        for entry in entries:  # the terms add up to the gradient
            assert sum(t["value"] for t in entry["terms"]) == pytest.approx(entry["grad"])


def test_the_same_seed_gives_the_same_problem_on_any_machine():
    # pinned: random.Random(seed) and float arithmetic are the same everywhere
    problem = generate_problem(2026, 1)
    assert problem.inputs == (("a", -1.0), ("b", 0.3), ("c", 0.3))
    assert problem.equations() == ["d = b · c", "f = a + c", "L = d + f"]
    assert problem.expression() == "L = b · c + a + c"
    assert problem.asked == ("f", "d", "c", "b", "a")
    first = json.dumps(answer_key(class_problems(["Ana", "Bia"], 2, 3, 7), seed=7, level=2,
                                  lang="en"))  # fmt: skip
    again = json.dumps(answer_key(class_problems(["Ana", "Bia"], 2, 3, 7), seed=7, level=2,
                                  lang="en"))  # fmt: skip
    assert first == again


def test_a_students_problems_do_not_depend_on_the_rest_of_the_roster():
    alone = class_problems(["Ana"], 2, 2, 5)
    among = class_problems(["Zé", "Ana", "Bia"], 2, 2, 5)
    assert [p for s, _, p in among if s == "Ana"] == [p for _, _, p in alone]
    assert len({p.seed for _, _, p in among}) == 6


def test_unknown_levels_and_counts_are_refused():
    with pytest.raises(ValueError, match="level must be one of 1, 2, 3, not 4"):
        generate_problem(1, 4)
    with pytest.raises(ValueError, match="positive integer, not 0"):
        class_problems(["Ana"], 1, 0, 1)


def test_roster_names_the_line_of_a_blank_or_repeated_name():
    assert read_roster("\ufeffAna\n  João  da Silva \n\n\n") == ["Ana", "João da Silva"]
    with pytest.raises(WorksheetError, match="roster.txt line 2: the name is blank"):
        read_roster("Ana\n \nBia\n", "roster.txt")
    with pytest.raises(WorksheetError, match="line 3: 'ana' is already on line 1"):
        read_roster("Ana\nBia\nana\n")
    with pytest.raises(WorksheetError, match="no names"):
        read_roster("\n\n")


@pytest.mark.parametrize("header", ["name", "Nome", "NOME:", "student", "Aluno(a)", "alunos",
                                    '"Name"', "Estudante", "Nome completo"])  # fmt: skip
def test_a_rosters_header_line_is_not_a_student(header):
    assert read_roster(f"\ufeff{header}\nAna\nBia\n") == ["Ana", "Bia"]


def test_only_the_first_line_can_be_a_header():
    assert read_roster("Ana\nName\n") == ["Ana", "Name"]
    assert read_roster("Nomes\nAna\nnomes\n") == ["Ana", "nomes"]
    with pytest.raises(WorksheetError, match="no names"):
        read_roster("nome\n")


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(LEVELS))
@settings(max_examples=20)
def test_every_student_of_a_class_has_as_many_answers_to_give(seed, level):
    names = ["Ana", "Bia", "Caio", "Davi"]
    assignments = class_problems(names, level, 3, seed)
    sizes = {(number, len(problem.asked)) for _, number, problem in assignments}
    assert len(sizes) == 3  # problem k asks as much of everybody
    assert {size for _, size in sizes} <= set(ASKED[level])
    totals = {s: sum(len(p.asked) for t, _, p in assignments if t == s) for s in names}
    assert len(set(totals.values())) == 1, totals


@pytest.mark.parametrize("level", LEVELS)
def test_a_problem_asks_for_the_number_of_gradients_it_is_given(level):
    for asked in ASKED[level]:
        for seed in range(10):
            problem = generate_problem(seed, level, asked)
            assert len(problem.asked) == asked
            check_domain(problem)
    with pytest.raises(ValueError, match=f"a level-{level} problem asks for one of .*, not 4"):
        generate_problem(1, level, 4)


@pytest.mark.parametrize("level", LEVELS)
def test_constants_and_data_require_no_gradient_and_are_never_asked(level):
    for seed in range(100):
        problem = generate_problem(seed, level)
        order = topological_order(problem.build()[OUTPUT])
        constants = [node for node in order if not node.requires_grad]
        assert all(node.is_leaf for node in constants)
        inputs = {name for name, _ in problem.inputs}
        assert {node.label for node in constants if node.label} == inputs - set(problem.asked)
        wanted = {node.label for node in order if node.requires_grad} - {OUTPUT}
        assert wanted == set(problem.asked)  # every gradient to find is asked, and no other
        if level == 2 and any(step.op == "pow" for step in problem.steps):
            assert any(not node.label for node in constants)  # an exponent


# The grader -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key():
    """A level-2 key for two students, through JSON as the CLI stores it."""
    data = answer_key(class_problems(["Ana", "Bia"], 2, 3, 11), seed=11, level=2, lang="en")
    return load_key(json.dumps(data))


def csv_of(rows):
    return "student,problem,node,value\n" + "".join(f"{s},{p},{n},{v}\n" for s, p, n, v in rows)


def right_rows(key):
    return [(r["student"], r["problem"], r["node"], repr(r["value"])) for r in key["answers"]]


def verdict_of(key, rows, **options):
    verdicts = grade(key, read_answers(csv_of(rows), key), **options)
    return {v.student: v for v in verdicts}


def test_right_answers_score_full_marks_even_rounded_to_four_decimals(key):
    rows = [(s, p, n, f"{float(v):.4f}") for s, p, n, v in right_rows(key)]
    verdicts = verdict_of(key, rows)
    assert all(v.correct == v.total and not v.feedback for v in verdicts.values())
    assert sum(v.total for v in verdicts.values()) == len(key["answers"])
    assert scores_csv(list(verdicts.values())).splitlines()[1].endswith(",1.0000")


def test_a_wrong_sign_is_named(key):
    rows = right_rows(key)
    s, p, n, v = rows[2]
    rows[2] = (s, p, n, repr(-float(v)))
    lines = verdict_of(key, rows)[s].feedback
    assert len(lines) == 1
    assert f"problem {p}, ∂L/∂{n}: expected {float(v):.4f}, got {-float(v):.4f}" in lines[0]
    assert lines[0].endswith("sign error")


def first_slip(key, kind):
    for entry in key["problems"]:
        for node in entry["nodes"]:
            for slip in node["slips"]:
                if slip["kind"] == kind:
                    return entry, node, slip
    raise AssertionError(f"no {kind} slip in the key")


def answered(key, entry, node, value):
    """The right rows, except ``value`` for ``node`` of ``entry``."""
    target = (entry["student"], entry["problem"], node["node"])
    return [(s, p, n, value if (s, p, n) == target else v) for s, p, n, v in right_rows(key)]


def test_forgetting_a_shared_nodes_second_path_is_named(key):
    entry, node, slip = first_slip(key, "paths")
    # the slip's value is the gradient through one use of the shared node only
    nodes_by_name = {n["node"]: n for n in entry["nodes"]}
    terms = nodes_by_name[slip["at"]]["terms"]
    assert len(terms) == 2
    lines = verdict_of(key, answered(key, entry, node, repr(slip["value"])))[entry["student"]]
    assert len(lines.feedback) == 1
    assert f"forgot to add up the 2 paths through {slip['at']}" in lines.feedback[0]


def test_mixing_up_input_and_output_in_a_local_derivative_is_named(key):
    entry, node, slip = first_slip(key, "swap")
    verdict = verdict_of(key, answered(key, entry, node, repr(slip["value"])))[entry["student"]]
    assert f"the input and the output of {slip['op']} (node {slip['at']}) were mixed up" in (
        verdict.feedback[0])  # fmt: skip
    # the rule as the step-through writes it, in the key's language, numbers put in
    assert slip["rule"].startswith(f"\u2202{slip['at']}/\u2202")
    assert verdict.feedback[0].endswith(f"the rule is {slip['rule']}")


def test_a_slipped_log_derivative_is_recognised():
    """d log(x)/dx = 1/x; 1/out instead gives a gradient the grader attributes to log."""
    for seed in range(200):
        problem = generate_problem(seed, 2)
        log_steps = [s for s in problem.steps if s.op == "log" and s.node != OUTPUT]
        if log_steps:
            break
    step = log_steps[0]
    nodes = problem.build()
    x, out = nodes[step.args[0]].data, nodes[step.node].data
    entries = {e["node"]: e for e in problem_key(problem)}
    upstream = entries[step.node]["grad"]
    others = sum(t["value"] for t in entries[step.args[0]]["terms"] if t["via"] != step.node)
    slipped = others + upstream / out  # the student's dL/dx
    assert not matches(slipped, upstream / x + others)
    kinds = [(s["kind"], s["at"]) for s in entries[step.args[0]]["slips"]
             if matches(slipped, s["value"])]  # fmt: skip
    assert ("swap", step.node) in kinds


def test_tolerance_is_relative_and_configurable(key):
    rows = right_rows(key)
    s, p, n, v = rows[0]
    for factor, default_ok in ((1.0005, True), (1.005, False)):
        rows[0] = (s, p, n, repr(float(v) * factor + (1e-3 if float(v) == 0 else 0)))
        assert (verdict_of(key, rows)[s].correct == verdict_of(key, rows)[s].total) == default_ok
        assert verdict_of(key, rows, rtol=1e-2, atol=1e-2)[s].feedback == []


def test_blank_and_missing_answers_count_as_unanswered_and_decimal_commas_are_read(key):
    rows = right_rows(key)
    s, p, n, v = rows[1]
    rows[1] = (s, p, n, "")
    rows[0] = rows[0][:3] + ('"' + f"{float(rows[0][3]):.4f}".replace(".", ",") + '"',)
    del rows[5]
    verdict = verdict_of(key, rows)[s]
    assert verdict.total - verdict.correct == 2
    assert any(f"∂L/∂{n}: no answer" in line for line in verdict.feedback)
    assert report([verdict]).startswith(f"{s}: {verdict.correct}/{verdict.total} right")
    bia = grade(key, read_answers(csv_of(rows), key), lang="pt-BR")[0]
    assert "sem resposta" in report([bia], "pt-BR")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,problem,answer\nAna,1,a,1\n", "line 1: the header must be"),
        ("student,problem,node,value\nAna,1,a\n", "line 2: expected 4 fields"),
        ("student,problem,node,value\nZé,1,a,1\n", "line 2: student 'Zé' is not in the key"),
        ("student,problem,node,value\nAna,x,a,1\n", "line 2: the problem 'x' is not a number"),
        ("student,problem,node,value\nAna,9,a,1\n", "line 2: Ana has no problem 9"),
        ("student,problem,node,value\nAna,1,,1\n", "line 2: the node is blank"),
        ("student,problem,node,value\nAna,1,zz,1\n", "line 2: problem 1 of Ana has no node 'zz'"),
        ("student,problem,node,value\nAna,1,a,1\n\nAna,1,a,2\n",
         "line 4: Ana, problem 1, node a is already answered on line 2"),
        ("student,problem,node,value\nAna,1,a,abc\n", "line 2: the value 'abc' is not a number"),
        ("student,problem,node,value\nAna,1,a,nan\n", "line 2: the value 'nan' is not a number"),
    ],
)  # fmt: skip
def test_malformed_answers_name_the_line(key, text, message):
    with pytest.raises(WorksheetError, match=message):
        read_answers(text, key, source="answers.csv")


def test_the_template_lists_every_question_with_an_empty_value(key):
    lines = template_csv(key).splitlines()
    assert lines[0] == "student,problem,node,value" and len(lines) == 1 + len(key["answers"])
    assert all(line.endswith(",") for line in lines[1:])
    answers = read_answers(template_csv(key), key)
    assert set(answers.values()) == {None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "key.json line 1: not valid JSON"),
        ('{"format": "other"}', "not a worksheet key"),
        ('{"format": "chaingrad worksheet key", "answers": []}', "no \"answers\" list"),
        ('{"format": "chaingrad worksheet key", "answers": [{"student": "A"}]}', "answer 1"),
    ],
)
def test_a_broken_key_is_refused(text, message):
    with pytest.raises(WorksheetError, match=message):
        load_key(text, "key.json")


def test_a_key_without_slips_still_grades(key):
    bare = {**key, "problems": [{"student": "Ana", "nodes": ["junk"]}, 3]}
    rows = right_rows(key)
    s, p, n, v = rows[0]
    rows[0] = (s, p, n, repr(-float(v) - 1))
    verdict = {v.student: v for v in grade(bare, read_answers(csv_of(rows), bare))}[s]
    assert verdict.correct == verdict.total - 1 and "expected" in verdict.feedback[0]


def test_the_inlined_formula_has_the_parentheses_it_needs():
    from viz.worksheet import Problem, Step

    steps = (Step("d", "add", ("a", "b")), Step("f", "pow", ("d", 2.0)),
             Step("g", "pow", ("f", -1.0)), Step("h", "sub", ("c", "d")),
             Step("k", "tanh", ("h",)), Step("L", "mul", ("g", "k")))  # fmt: skip
    problem = Problem(0, 2, (("a", 1.0), ("b", 2.0), ("c", 0.5)), steps, ())
    assert problem.expression() == "L = ((a + b)^2)^(-1) · tanh(c - (a + b))"
    assert problem.equations()[2:4] == ["g = f^(-1)", "h = c - d"]
    assert problem(1.0, 2.0, 0.5).data == pytest.approx(math.tanh(0.5 - 3) / 9)


def test_a_deeply_nested_key_is_refused_by_name() -> None:
    with pytest.raises(WorksheetError, match="key.json: nested too deeply"):
        load_key("[" * 100_000 + "]" * 100_000, "key.json")


def test_an_expected_negative_zero_is_shown_as_zero() -> None:
    key = {"answers": [{"student": "A", "problem": 1, "node": "a", "value": -0.0}]}
    (verdict,) = grade(key, {("A", 1, "a"): 1.0})
    assert "expected 0.0000" in verdict.feedback[0], verdict.feedback


def test_a_semicolon_csv_as_excel_writes_it_in_brazil_is_read(key):
    rows = [(s, p, n, f"{float(v):.4f}".replace(".", ",")) for s, p, n, v in right_rows(key)]
    text = "student;problem;node;value\n" + "".join(f"{s};{p};{n};{v}\n" for s, p, n, v in rows)
    answers = read_answers(text, key)
    verdicts = grade(key, answers)
    assert all(v.correct == v.total for v in verdicts) and len(answers) == len(rows)


# CSV cells a spreadsheet would run (OWASP's CSV injection) --------------------------------
HOSTILE = ['=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)",
           "'quoted", "''=x", "Ana"]  # fmt: skip


@given(st.text())
def test_a_spreadsheet_cell_never_starts_a_formula_and_reads_back_as_written(text):
    cell = spreadsheet_text(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert from_spreadsheet(cell) == text


def test_every_csv_written_neutralises_formulas_and_reading_restores_the_names():
    key = answer_key(class_problems(HOSTILE, 1, 2, 3), seed=3, level=1, lang="en")
    rows = list(csv.reader(io.StringIO(template_csv(key))))
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
    assert {row[0] for row in rows[1:]} == {spreadsheet_text(name) for name in HOSTILE}
    expected = {(r["student"], r["problem"], r["node"]): r["value"] for r in key["answers"]}
    filled = [rows[0]]
    for k, (student, problem, node, _) in enumerate(rows[1:]):
        value = repr(expected[(from_spreadsheet(student), int(problem), node)])
        filled.append([student, problem, node, "'" + value if k % 2 and value[0] == "-" else value])
    assert any(row[3].startswith("-") for row in filled) and any(row[3].startswith("'-")
                                                                 for row in filled)  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows(filled)
    verdicts = grade(key, read_answers(out.getvalue(), key))
    assert [v.student for v in verdicts] == HOSTILE
    assert all(v.correct == v.total for v in verdicts)  # negative numbers read as numbers
    scores = list(csv.reader(io.StringIO(scores_csv(verdicts))))
    assert all(not cell.startswith(FORMULA_STARTS) for row in scores for cell in row)
    assert [from_spreadsheet(row[0]) for row in scores[1:]] == HOSTILE

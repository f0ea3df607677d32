"""The printable worksheets and their CLI: files, refusals, grading, and a real Chromium."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from test_viz_graph import node_statements
from test_viz_stepper import browser  # noqa: F401 -- a fixture

from autograd import Value
from autograd import functions as F
from viz import draw_dot
from viz.graph import BLANK
from viz.worksheet import generate_problem, key_page, problem_key, student_page
from viz.worksheet.cli import main, slug

ROSTER = "Ana Souza\nJoão da Silva\n"


def test_draw_dot_leaves_blank_grads_stacks_fields_and_drops_the_legend():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    out = F.tanh(x * w)
    out.backward()
    source = draw_dot(out, blank=[x], stacked=True, legend=False).source
    x_node = next(attrs for attrs in node_statements(source).values() if "x |" in attrs)
    assert f"grad {BLANK}" in x_node and "grad -" not in x_node
    assert f"grad {w.grad:.4f}" in source  # the others keep their numbers
    assert 'label="{' not in source  # LR + stacked: fields one above the other
    assert "cluster_legend" not in source and "cluster_legend" in draw_dot(out).source
    assert 'label="{' in draw_dot(out, stacked=True, rankdir="TB").source


def run_cli(*args, cwd):
    """The CLI in this process: (exit code, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with contextlib.chdir(cwd):
            code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A class of two written twice, to folders a and b."""
    root = tmp_path_factory.mktemp("worksheets")
    (root / "roster.txt").write_text(ROSTER, encoding="utf-8")
    for folder in ("a", "b"):
        code, out, err = run_cli("--students", "roster.txt", "--level", "2", "--problems", "3",
                                 "--seed", "2026", "--lang", "pt-BR", "-o", folder, cwd=root)
        assert (code, err) == (0, ""), err  # fmt: skip
        assert "wrote 2 sheets" in out
    return root


def test_the_same_seed_writes_the_same_files_byte_for_byte(written):
    names = sorted(p.name for p in (written / "a").iterdir())
    assert names == ["01-ana-souza-key.html", "01-ana-souza.html",
                     "02-joao-da-silva-key.html", "02-joao-da-silva.html", "key.json"]
    for name in names:
        assert (written / "a" / name).read_bytes() == (written / "b" / name).read_bytes(), name


def test_the_key_rows_match_the_sheets_questions(written):
    key = json.loads((written / "a" / "key.json").read_text(encoding="utf-8"))
    assert (key["seed"], key["level"], key["lang"]) == (2026, 2, "pt-BR")
    assert all(set(row) == {"student", "problem", "node", "value"} for row in key["answers"])
    sheet = (written / "a" / "02-joao-da-silva.html").read_text(encoding="utf-8")
    asked = re.findall(r"\u2202L/\u2202(\w+) = <span>", sheet)
    assert asked == [r["node"] for r in key["answers"] if r["student"] == "João da Silva"]
    assert sheet.count("<svg") == 3 and sheet.count(f"grad {BLANK}") == len(asked)  # no more
    assert "Folha de exercícios" in sheet and "@media print" in sheet
    problem = next(p for p in key["problems"] if p["student"] == "João da Silva")
    assert problem["expression"] in sheet.replace("&#x27;", "'")
    regenerated = generate_problem(problem["seed"], 2, asked=len(problem["nodes"]))
    assert problem["expression"] == regenerated.expression()
    page = (written / "a" / "02-joao-da-silva-key.html").read_text(encoding="utf-8")
    for entry in problem["nodes"]:
        assert f"<td>\u2202L/\u2202{entry['node']}</td><td>{entry['grad']:.4f}</td>" in page
    # each term's rule as the step-through writes it, numbers put in, never the ASCII op docs
    assert re.search(r"\(\u2202L/\u2202\w+ \u00d7 \u2202\w+/\u2202\w+ = [^)]*= \u2212?\d+\.\d{4}\)",
                     page)  # fmt: skip
    assert "d/dx" not in page and " where " not in page


def test_names_become_safe_file_names():
    assert slug("João da Silva") == "joao-da-silva" and slug("../../etc") == "etc"
    assert slug("李雷") == "student"


@pytest.mark.parametrize(
    ("roster", "options", "message"),
    [
        ("Ana\nana\n", [], "roster.txt line 2: 'ana' is already on line 1"),
        ("Ana\n\nBia\n", [], "roster.txt line 2: the name is blank"),
        ("Ana\n", ["--level", "4"], "argument --level: invalid choice: 4"),
        ("Ana\n", ["--problems", "0"], "--problems must be between 1 and 20"),
        ("Ana\n", ["--lang", "fr"], "argument --lang: invalid choice"),
    ],
)
def test_bad_input_is_one_line_naming_it_and_nothing_is_written(tmp_path, roster, options,
                                                                 message):  # fmt: skip
    (tmp_path / "roster.txt").write_text(roster, encoding="utf-8")
    code, out, err = run_cli("--students", "roster.txt", "--seed", "1", "-o", "out", *options,
                             cwd=tmp_path)  # fmt: skip
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()


def test_a_folder_in_the_way_of_a_file_is_refused_before_any_file_is_written(tmp_path):
    (tmp_path / "roster.txt").write_text("Ana\n", encoding="utf-8")
    (tmp_path / "out" / "key.json").mkdir(parents=True)
    code, _, err = run_cli("--students", "roster.txt", "--seed", "1", "-o", "out", cwd=tmp_path)
    assert code == 2 and "out/key.json" in err and "is a folder" in err, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["key.json"]


def test_grading_from_the_template_to_the_scores(written, tmp_path):
    key = written / "a" / "key.json"
    code, out, _ = run_cli("grade", key, "--template", "blank.csv", cwd=tmp_path)
    assert code == 0 and "wrote blank.csv" in out
    # a class in Portuguese: the CSVs of a Brazilian spreadsheet (';', decimal commas)
    blank = (tmp_path / "blank.csv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(blank, delimiter=";"))
    answers = {(r["student"], str(r["problem"]), r["node"]): r["value"]
               for r in json.loads(key.read_text(encoding="utf-8"))["answers"]}  # fmt: skip
    assert rows[0] == ["aluno", "problema", "nó", "valor"] and len(rows) == 1 + len(answers)
    filled = [rows[0]]
    for k, (student, problem, node, _) in enumerate(rows[1:]):
        value = answers[(student, problem, node)]
        if student == "Ana Souza" and k == 0:
            value = -value  # one sign error for Ana
        filled.append([student, problem, node, f"{value:.4f}".replace(".", ",")])
    with (tmp_path / "answers.csv").open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, delimiter=";").writerows(filled)
    code, out, err = run_cli("grade", key, "answers.csv", cwd=tmp_path)
    assert code == 0, err
    total = sum(1 for r in answers if r[0] == "Ana Souza")
    assert f"Ana Souza: {total - 1}/{total} certas" in out and "erro de sinal" in out
    assert re.search(r"esperado \u2212?-?\d+,\d{4}, recebido -?\d+,\d{4}", out)  # commas
    scores = list(csv.reader(
        (tmp_path / "answers-scores.csv").read_text(encoding="utf-8").splitlines(), delimiter=";"))
    assert scores[0] == ["aluno", "acertos", "total", "nota"]
    assert scores[2][0] == "João da Silva" and scores[2][3] == "1,0000"
    code, out, _ = run_cli("grade", key, "answers.csv", "--lang", "en", "--scores", "s.csv",
                           cwd=tmp_path)  # fmt: skip
    assert "sign error" in out
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").startswith("student,correct,total,"
                                                                      "score\n")  # fmt: skip


def test_answers_that_do_not_match_the_key_are_refused_before_writing(written, tmp_path):
    (tmp_path / "answers.csv").write_text("student,problem,node,value\nAna Souza,1,zz,1\n",
                                          encoding="utf-8")  # fmt: skip
    code, _, err = run_cli("grade", written / "a" / "key.json", "answers.csv", cwd=tmp_path)
    assert code == 2 and "answers.csv line 2: problem 1 of Ana Souza has no node 'zz'" in err
    assert not (tmp_path / "answers-scores.csv").exists()
    code, _, err = run_cli("grade", "missing.json", "answers.csv", cwd=tmp_path)
    assert code == 2 and "key missing.json: no such file" in err
    code, _, err = run_cli("grade", written / "a" / "key.json", cwd=tmp_path)
    assert code == 2 and "either ANSWERS or --template" in err


def test_help_lists_the_commands():
    done = subprocess.run([sys.executable, "-m", "viz.worksheet", "--help"], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "generate" in done.stdout and "grade" in done.stdout
    done = subprocess.run([sys.executable, "-m", "viz.worksheet", "grade", "--help"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "--template" in done.stdout and "--tolerance" in done.stdout


def test_a_page_escapes_the_students_name():
    page = student_page("<b>Zé</b> & Co", 1, "en", [(1, generate_problem(3, 1))])
    assert "<b>Zé" not in page and "&lt;b&gt;Zé&lt;/b&gt; &amp; Co" in page


# A real browser -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["01-ana-souza.html", "01-ana-souza-key.html"])
def test_sheet_and_key_render_in_chromium_without_errors(browser, written, name):  # noqa: F811
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto((written / "a" / name).as_uri())
    assert page.locator("section.problem").count() == 3
    assert page.locator("svg").count() == 3
    box = page.locator("svg").first.bounding_box()
    assert 300 < box["width"] <= 1200 and box["height"] > 50  # drawn, within the page
    assert errors == [] and [u for u in requests if not u.startswith("file://")] == []
    page.close()


def printed_pages(browser, html_path, tmp_path):  # noqa: F811
    """What a printer gets from Chromium: the page sizes (points) and each page's text."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None and os.environ.get("CI") == "true":
        pytest.fail("CI must read the printed pages: .ci/run installs poppler-utils")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed: `sudo apt-get install poppler-utils`")
    page = browser.new_page()
    page.goto(html_path.as_uri())
    pdf = tmp_path / f"{html_path.stem}.pdf"
    page.pdf(path=pdf, prefer_css_page_size=True)
    page.close()
    data = pdf.read_bytes()
    sizes = [tuple(round(float(x)) for x in box.split())
             for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)]  # fmt: skip
    texts = []
    for number in range(1, len(sizes) + 1):
        done = subprocess.run([pdftotext, "-f", str(number), "-l", str(number), "-enc", "UTF-8",
                               str(pdf), "-"], capture_output=True, check=True)  # fmt: skip
        texts.append(" ".join(done.stdout.decode("utf-8").split()))
    return sizes, texts


def check_printout(sizes, texts, student, problems, heading, seed_line):
    """A4 portrait pages, the student's name on each, every problem on one page whole."""
    assert sizes and set(sizes) == {(0, 0, 595, 842)}  # A4 portrait, in points
    assert len(texts) == len(sizes) and all(student in text for text in texts), texts
    for number, problem in problems:
        start = [k for k, text in enumerate(texts) if f"{heading} {number} {student}" in text]
        end = [k for k, text in enumerate(texts) if seed_line.format(seed=problem.seed) in text]
        assert len(start) == 1 and start == end, (number, start, end)  # begins and ends there


@pytest.mark.parametrize("name", ["01-ana-souza.html", "02-joao-da-silva-key.html"])
def test_a_printed_sheet_is_a4_portrait_with_the_name_on_every_page_and_no_problem_split(
    browser, written, tmp_path, name  # noqa: F811
):
    key = json.loads((written / "a" / "key.json").read_text(encoding="utf-8"))
    student = "Ana Souza" if name.startswith("01") else "João da Silva"
    problems = [(p["problem"], generate_problem(p["seed"], 2, len(p["nodes"])))
                for p in key["problems"] if p["student"] == student]  # fmt: skip
    sizes, texts = printed_pages(browser, written / "a" / name, tmp_path)
    check_printout(sizes, texts, student, problems, "Problema", "semente do problema {seed}")


def test_the_largest_problems_print_whole_too(browser, tmp_path):  # noqa: F811
    """Level 3's 2-2-1 networks (15 answers, drawn left to right) and neurons, on a sheet
    and on a key, in English."""
    problems = [(1, generate_problem(5, 3, 15)), (2, generate_problem(6, 3, 9)),
                (3, generate_problem(7, 3, 15)), (4, generate_problem(8, 2, 15))]  # fmt: skip
    sheet = tmp_path / "sheet.html"
    sheet.write_text(student_page("Bia", 3, "en", problems), encoding="utf-8")
    keyed = [(n, p, problem_key(p)) for n, p in problems]
    key = tmp_path / "key.html"
    key.write_text(key_page("Bia", 3, "en", keyed), encoding="utf-8")
    for path in (sheet, key):
        sizes, texts = printed_pages(browser, path, tmp_path)
        check_printout(sizes, texts, "Bia", problems, "Problem", "problem seed {seed}")


def test_the_scores_are_written_even_if_the_printout_is_cut(written, tmp_path, monkeypatch):
    # `grade key.json answers.csv | head` closes stdout early: the scores CSV still comes out
    key = written / "a" / "key.json"
    assert run_cli("grade", key, "--template", "answers.csv", cwd=tmp_path)[0] == 0

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    main(["grade", str(key), "answers.csv"])
    assert (tmp_path / "answers-scores.csv").read_text(encoding="utf-8").startswith("aluno;")


def test_only_the_nodes_with_a_gradient_have_a_grad_field_on_the_pages():
    """A constant exponent (and level 3's data x1, x2, y) shows its value only: every grad
    field on a sheet is one the student is asked for, or L's."""
    problems = [(1, next(p for p in map(lambda s: generate_problem(s, 2), range(50))
                         if any(step.op == "pow" for step in p.steps))),
                (2, generate_problem(3, 3, 9))]  # fmt: skip
    for n, problem in problems:
        wanted = len(problem.asked) + 1  # and L's seed
        sheet = student_page("Ana", problem.level, "en", [(n, problem)])
        key = key_page("Ana", problem.level, "en", [(n, problem, problem_key(problem))])
        assert sheet.count(">grad ") == wanted and key.count(">grad ") == wanted
        if problem.level == 3:  # the data are constants too, drawn with their names
            assert all(f">{name} = " in sheet for name in ("x1", "x2", "y")), sheet

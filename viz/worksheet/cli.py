"""``chaingrad worksheet`` (or ``python -m viz.worksheet``): write a class's worksheets
and keys, and grade the answers.

    chaingrad worksheet --students roster.txt --level 2 --problems 4 --seed 2026 \\
        --lang pt-BR -o out/
    chaingrad worksheet grade out/key.json answers.csv
    chaingrad worksheet grade out/key.json --template blank.csv

Every refusal is one line on stderr and exit code 2, before anything is written; every
file is written to a temporary name and then renamed, so none is ever half-written.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from autograd.files import write_atomic

from ..cli import EXIT_REFUSED, Parser, Refusal
from ..i18n import LANGS
from .compare import ATOL, RTOL
from .grading import grade, load_key, read_answers, report, scores_csv, template_csv
from .keys import answer_key
from .pages import key_page, student_page
from .problems import LEVELS
from .roster import WorksheetError, class_problems, read_roster

COMMANDS = ("generate", "grade")
PROG = "python -m viz.worksheet"


def _parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = Parser(prog=prog, description="Write a class's backprop worksheets and answer "
                    "keys, and grade the answers.",
                    epilog="The command is generate when none is given.")  # fmt: skip
    commands = parser.add_subparsers(dest="command", parser_class=Parser)
    generate = commands.add_parser(
        "generate", help="write one sheet and one answer-key page per student, and key.json",
        description="Write, per student of the roster, a printable sheet of random backprop "
        "problems (graphs with blank grad boxes) and its answer key, plus key.json for "
        "the grader.  The same seed gives the same files.",
    )  # fmt: skip
    generate.add_argument("--students", required=True, type=Path, metavar="ROSTER",
                          help="a text file with one student name a line")  # fmt: skip
    generate.add_argument("--level", type=int, default=1, choices=LEVELS,
                          help="1: + and * (default); 2: tanh, sigmoid, exp, log, powers; "
                          "3: a neuron or a 2-2-1 network with a loss")  # fmt: skip
    generate.add_argument("--problems", type=int, default=4, help="problems per student (4)")
    generate.add_argument("--seed", type=int, required=True, help="the class's seed")
    generate.add_argument("--lang", default="en", choices=LANGS, help="language (en)")
    generate.add_argument("-o", "--output", type=Path, default=Path("worksheets"),
                          help="the folder to write (created if missing; default worksheets)")
    grade_ = commands.add_parser(
        "grade", help="grade an answers CSV against key.json, or write a blank answers CSV",
        description="Print each student's score and feedback on every wrong answer, and "
        "write a CSV of scores; or, with --template, write the answers CSV to fill in.",
    )  # fmt: skip
    grade_.add_argument("key", type=Path, help="key.json written by generate")
    grade_.add_argument("answers", type=Path, nargs="?",
                        help="a CSV with the header student,problem,node,value")  # fmt: skip
    grade_.add_argument("--template", type=Path, metavar="CSV",
                        help="write the answers CSV with every row and empty values instead")
    grade_.add_argument("--tolerance", type=float, default=RTOL,
                        help=f"relative tolerance of a right answer ({RTOL:g})")
    grade_.add_argument("--atol", type=float, default=ATOL,
                        help=f"absolute tolerance, for gradients near 0 ({ATOL:g})")
    grade_.add_argument("--scores", type=Path,
                        help="the scores CSV to write (default: ANSWERS-scores.csv beside it)")
    grade_.add_argument("--lang", choices=LANGS, help="language of the feedback (the key's)")
    return parser


def slug(name: str) -> str:
    """A file-name-safe form of a student's name: 'João da Silva' → 'joao-da-silva'."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_).split()
    return "-".join(words)[:40] or "student"


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write each name → text in ``folder``, each durably (:func:`autograd.files.write_atomic`);
    Refusal, before writing any, if a folder stands where one of them goes."""
    blocked = [folder / name for name in files if (folder / name).is_dir()]
    if blocked:
        raise Refusal(f"{blocked[0]} is a folder: cannot write a file there")
    written = []
    for name, text in files.items():
        path = folder / name
        write_atomic(path, text)
        written.append(path)
    return written


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Refusal(f"{what} {path}: no such file") from None
    except UnicodeDecodeError:
        raise Refusal(f"{what} {path}: not UTF-8 text") from None
    except OSError as error:
        raise Refusal(f"{what} {path}: {error.strerror or error}") from None


def _folder_for(path: Path, option: str) -> Path:
    """The existing folder a file named by ``option`` goes into; Refusal if there is none."""
    if path.is_dir() or not path.parent.is_dir():
        raise Refusal(f"{option} {path}: not a file in an existing folder")
    return path.parent


def generate(args: argparse.Namespace) -> int:
    """Write the sheets, the key pages and key.json (everything computed first)."""
    if args.problems < 1 or args.problems > 20:
        raise Refusal(f"--problems must be between 1 and 20, not {args.problems}")
    if args.output.exists() and not args.output.is_dir():
        raise Refusal(f"-o {args.output}: exists and is not a folder")
    students = read_roster(_read(args.students, "--students"), source=str(args.students))
    assignments = class_problems(students, args.level, args.problems, args.seed)
    key = answer_key(assignments, seed=args.seed, level=args.level, lang=args.lang)
    files = {}
    for index, student in enumerate(students, start=1):
        mine = [(n, p) for s, n, p in assignments if s == student]
        entries = [e["nodes"] for e in key["problems"] if e["student"] == student]
        stem = f"{index:02d}-{slug(student)}"
        files[f"{stem}.html"] = student_page(student, args.level, args.lang, mine)
        files[f"{stem}-key.html"] = key_page(
            student, args.level, args.lang, [(n, p, e) for (n, p), e in zip(mine, entries)]
        )
    files["key.json"] = json.dumps(key, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    args.output.mkdir(parents=True, exist_ok=True)
    write_files(args.output, files)
    print(f"wrote {len(students)} sheets and answer keys, {len(assignments)} problems, "
          f"and {args.output / 'key.json'}")  # fmt: skip
    return 0


def grade_command(args: argparse.Namespace) -> int:
    """Grade an answers CSV, or write the blank template."""
    if (args.answers is None) == (args.template is None):
        raise Refusal("grade needs either ANSWERS or --template CSV (not both)")
    if not (args.tolerance >= 0 and args.atol >= 0):
        raise Refusal("--tolerance and --atol must be numbers >= 0")
    key = load_key(_read(args.key, "key"), source=str(args.key))
    if args.template is not None:
        folder = _folder_for(args.template, "--template")
        write_files(folder, {args.template.name: template_csv(key)})
        print(f"wrote {args.template} ({len(key['answers'])} questions)")
        return 0
    scores = args.scores or args.answers.with_name(f"{args.answers.stem}-scores.csv")
    folder = _folder_for(scores, "--scores")
    answers = read_answers(_read(args.answers, "answers"), key, source=str(args.answers))
    lang = args.lang or (key.get("lang") if key.get("lang") in LANGS else "en")
    verdicts = grade(key, answers, rtol=args.tolerance, atol=args.atol, lang=lang)
    write_files(folder, {scores.name: scores_csv(verdicts, lang)})  # first: `| head` may cut
    print(report(verdicts, lang))
    print(f"wrote {scores}")
    return 0


def run(argv: Sequence[str], prog: str = PROG) -> int:
    """Run the CLI on ``argv`` (without the program name); returns the exit code."""
    argv = list(argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "generate")
    args = _parser(prog).parse_args(argv)
    return grade_command(args) if args.command == "grade" else generate(args)


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Entry point: like :func:`run`, but every refusal is one stderr line and exit 2."""
    try:
        return run(sys.argv[1:] if argv is None else argv, prog)
    except (Refusal, WorksheetError, OSError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_REFUSED

"""Start-up: `newswatch --help` imports no stage and no heavy library, and each command imports
only what it needs (checked through sys.modules in a fresh interpreter, not timed)."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

from newswatch.cli import COMMANDS, build_parser

HEAVY = ("sklearn", "scipy", "feedparser", "kafka", "pydantic", "numpy", "apscheduler",
         "httpx", "jinja2", "collectors", "classifiers", "alerts", "newswatch.app")


def _imported_after(code: str) -> list[str]:
    probe = (
        "import sys, json\n"
        f"{code}\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted({m for m in sys.modules if m.startswith(heavy)})))\n"
    )
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.splitlines()[-1])


def test_help_imports_nothing_heavy() -> None:
    code = ("from newswatch.cli import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try: main(['--help'])\n"
            "    except SystemExit: pass\n"
            "assert 'replay' in out.getvalue() and 'classify' in out.getvalue()")
    assert _imported_after(code) == []


def test_classify_parser_does_not_load_collectors_or_alerts() -> None:
    loaded = _imported_after("from newswatch.cli import build_parser\n"
                             "build_parser(['classify', '-'])")
    assert not [m for m in loaded if m.startswith(("collectors", "alerts", "feedparser",
                                                   "kafka", "newswatch.app"))]


def test_listed_help_lines_are_the_commands_own() -> None:
    real = {}
    for module in dict.fromkeys(m for m, _ in COMMANDS.values()):
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).register(sub)
        real.update({a.dest: (module, a.help) for a in sub._choices_actions})
    assert real == COMMANDS


def test_every_command_is_parsed_by_its_own_module() -> None:
    args = build_parser(["classify", "--model", "m", "-"]).parse_args(
        ["classify", "--model", "m", "-"])
    assert args.command == "classify" and args.model == "m" and callable(args.func)
    full = build_parser(full=True)
    sub = next(a for a in full._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)  # type: ignore[arg-type]

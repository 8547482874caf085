"""The exit codes the README and the command's docstring promise are the ones the code returns."""

import re
from pathlib import Path

import designer.cli
from designer.cli import common

ROOT = Path(__file__).resolve().parents[2]
CODES = {
    common.EXIT_OK: "fine",
    common.EXIT_DESIGN_ERRORS: "errors",
    common.EXIT_BAD_INPUT: "cannot be read",
    common.EXIT_INTERNAL: "internal error",
    common.EXIT_INTERRUPTED: "interrupted",
}


def documented(text: str) -> dict[int, str]:
    sentence = " ".join(text[text.index("Exit codes:"):].split("\n\n")[0].split())
    return {int(code): meaning for code, meaning in re.findall(r"(\d+) ([^,.]+)", sentence.split(":", 1)[1])}


def test_readme_and_docstring_list_every_exit_code_with_its_meaning():
    for text in ((ROOT / "README.md").read_text(encoding="utf-8"), designer.cli.__doc__):
        listed = documented(text)
        assert set(listed) == set(CODES), listed
        for code, words in CODES.items():
            assert words in listed[code], (code, listed[code])


def test_the_app_returns_the_same_codes_as_the_commands():
    from designer import app

    assert (app.EXIT_OK, app.EXIT_BAD_INPUT) == (common.EXIT_OK, common.EXIT_BAD_INPUT)

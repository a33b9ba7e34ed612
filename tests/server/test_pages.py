"""The desk's markup, checked without a browser (the browser test drives it with one)."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

STATIC = files("accord.server") / "static"


@pytest.mark.parametrize("name", ["index.html", "desk.js"])
def test_every_button_says_whether_it_submits(name: str) -> None:
    # A <button> without a type is a submit button; the desk's click handler leaves those to
    # their form, so the facilitator's round and archive buttons once did nothing at all.
    text = (STATIC / name).read_text(encoding="utf-8")
    buttons = re.findall(r"<button\b[^>]*>", text)
    assert buttons, f"no buttons found in {name}"
    untyped = [b for b in buttons if not re.search(r'\btype="(button|submit)"', b)]
    assert untyped == []

"""The public surface: one sorted __all__ per package, every name importable."""

from __future__ import annotations

import importlib
import pkgutil
import types
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "accord"
# The library's packages (the server's and the report's are applications, not APIs).
LIBRARY = sorted(
    ".".join(("accord", *init.parent.relative_to(SRC).parts))
    for init in SRC.rglob("__init__.py")
    if init.parent.relative_to(SRC).parts[:1] not in {("server",), ("report",)}
)


def _ruff_order(name: str) -> tuple[int, str]:
    # ruff's RUF022 ("isort-style"): constants, then classes, then everything else.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_every_library_package_is_listed() -> None:
    assert {"accord", "accord.forecasting", "accord.negotiation", "accord.forum"} <= set(LIBRARY)


@pytest.mark.parametrize("name", LIBRARY)
def test_all_is_sorted_and_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_ruff_order)
    assert len(exported) == len(set(exported))
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.{symbol} is listed in __all__ but missing"


@pytest.mark.parametrize("name", LIBRARY)
def test_no_name_shadows_a_module(name: str) -> None:
    # `import accord.forecasting.models as m` binds through attributes: a function or
    # class named like a subpackage would break it.
    module = importlib.import_module(name)
    for sub in pkgutil.iter_modules(module.__path__):
        if sub.name == "__main__":  # importing it runs the command line
            continue
        child = importlib.import_module(f"{name}.{sub.name}")
        assert getattr(module, sub.name, child) is child, f"{name}.{sub.name} is not the module"


def test_the_top_level_shows_only_what_it_exports() -> None:
    import accord

    leaked = {
        n
        for n in dir(accord)
        if not n.startswith("_")
        and n not in accord.__all__
        and not isinstance(getattr(accord, n), types.ModuleType)
    }
    assert not leaked


POSITIONAL_BY_NATURE = {
    "nash_bargaining": "three arrays of one shape, the formula's inputs in its order",
    "implement": "a domain, and the outcomes it runs from and to",
}
"""Public functions that take more than two arguments by position, and why."""


@pytest.mark.parametrize("name", LIBRARY)
def test_options_after_the_first_two_arguments_are_named(name: str) -> None:
    # forecast(scenario, models=..., format_id=...), not forecast(scenario, None, "six-party").
    import inspect

    module = importlib.import_module(name)
    for symbol in module.__all__:
        obj = getattr(module, symbol)
        if not inspect.isfunction(obj) or symbol in POSITIONAL_BY_NATURE:
            continue
        positional = [
            p.name
            for p in inspect.signature(obj).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        assert len(positional) <= 2, f"{name}.{symbol}: {positional} by position"

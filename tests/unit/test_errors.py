"""Every error the project raises for its user derives from one base, which ./dev catches."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import litellm_batch_fixes
from litellm_batch_fixes import cli
from litellm_batch_fixes.errors import BatchFixesError
from litellm_batch_fixes.releases import UnknownLine


def test_every_error_class_of_the_project_derives_from_its_base() -> None:
    found = []
    for module in pkgutil.walk_packages(litellm_batch_fixes.__path__, "litellm_batch_fixes."):
        if module.name.endswith("__main__"):  # runs ./dev's main when imported
            continue
        for _, value in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(value, Exception) and value.__module__ == module.name:
                found.append(value)
    assert UnknownLine in found and len(found) >= 9
    assert [error.__name__ for error in found if not issubclass(error, BatchFixesError)] == []


def test_dev_prints_such_an_error_without_a_traceback(capsys, monkeypatch) -> None:
    def refuse(args) -> int:
        raise UnknownLine("no line 9.9.9")

    monkeypatch.setattr(cli, "cmd_docs", refuse)
    assert cli.main(["docs"]) == 1
    assert capsys.readouterr().err == "error: no line 9.9.9\n"

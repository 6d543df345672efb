"""One exception hierarchy: every exception the product defines derives from CommitDigestError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from storage.errors import CommitDigestError

PACKAGES = ("storage", "analysis", "bot")


def _modules():
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            yield importlib.import_module(info.name)


def _defined_exceptions() -> dict[str, type[BaseException]]:
    found = {}
    for module in _modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def test_every_exception_of_the_product_derives_from_the_one_root():
    found = _defined_exceptions()
    assert len(found) >= 20  # the walk saw the whole product, not one package
    strays = sorted(name for name, cls in found.items() if not issubclass(cls, CommitDigestError))
    assert strays == []


def test_the_root_is_the_same_class_in_every_layer():
    from analysis.errors import CommitDigestError as in_analysis

    assert in_analysis is CommitDigestError

"""Every public function and class shows a runnable example, and the example's output holds.

The public names are ``bifurc.__all__`` and the ``__all__`` of each subpackage; each name's
docstring must end in a numpy-style ``Examples`` section with ``>>>`` lines, and those lines run
here as a doctest (ELLIPSIS and NORMALIZE_WHITESPACE, numpy's print options fixed), in the
globals of the module that defines the name, as ``python -m doctest`` would run them.
"""

import doctest
import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

#: Subpackages (and the two public modules) whose ``__all__`` are public, with the optional
#: extra each one needs; those whose extra is not installed are skipped, never passed.
PUBLIC_MODULES = {
    "bifurc": None, "bifurc.maps": None, "bifurc.losses": None, "bifurc.sweep": None,
    "bifurc.continuation": None, "bifurc.plot": None, "bifurc.verify": None, "bifurc.figures": None,
    "bifurc.eos": None, "bifurc.nets": None, "bifurc.torch": "torch", "bifurc.jax": "jax",
}
#: Names whose example needs an optional package of their own (scikit-learn: the ``data`` extra).
NAME_EXTRAS = {"bifurc.nets.digits": "sklearn"}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
EXAMPLES = re.compile(r"^\s*Examples\n\s*-{8,}\n", re.MULTILINE)


def _public() -> list[tuple[str, str]]:
    """(module, name) of each public function and class, each object once (first module listed)."""
    found, seen = [], set()
    for module, extra in PUBLIC_MODULES.items():
        if extra is not None and importlib.util.find_spec(extra) is None:
            continue
        mod = importlib.import_module(module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            # a derivation cached with functools (eos's @derived) is a function under its wrapper
            if (inspect.isfunction(inspect.unwrap(obj)) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                found.append((module, name))
    return found


PUBLIC = _public()


def test_every_subpackage_with_a_public_list_is_enumerated():
    import bifurc

    root = Path(bifurc.__file__).parent
    packages = {f"bifurc.{init.parent.name}" for init in root.glob("*/__init__.py")
                if re.search(r"^__all__\b", init.read_text(), re.MULTILINE)}
    packages |= {f"bifurc.{n}" for n in bifurc.__all__ if inspect.ismodule(getattr(bifurc, n))}
    assert packages <= set(PUBLIC_MODULES)  # a new public subpackage joins the list above


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_docstring_example_runs(module, name):
    extra = NAME_EXTRAS.get(f"{module}.{name}")
    if extra is not None and importlib.util.find_spec(extra) is None:
        pytest.skip(f"{module}.{name}'s example needs {extra}")
    obj = getattr(importlib.import_module(module), name)
    doc = inspect.getdoc(obj) or ""
    section = EXAMPLES.search(doc)
    assert section, f"{module}.{name} has no numpy-style Examples section"
    assert ">>>" in doc[section.end():], f"{module}.{name}: its Examples section has no '>>>' line"
    home = inspect.getmodule(obj)
    test = doctest.DocTestParser().get_doctest(doc, dict(vars(home)), f"{module}.{name}",
                                               getattr(home, "__file__", None), 0)
    report: list[str] = []
    with np.printoptions(precision=6, suppress=True, linewidth=88, legacy=False):
        result = doctest.DocTestRunner(optionflags=FLAGS).run(test, out=report.append)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)

"""The execution cache stays correct: a notebook is executed again when its code changes, and the
whole cache is dropped when the package, the data or the pins change (scripts/cache_guard.py);
a change of prose alone re-uses the executed notebook (scripts/execute_notebooks.py, which fills the
same cache myst-nb reads, under jupyter-cache's own key)."""

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOTEBOOK = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A chapter

Some prose.

```{code-cell} ipython3
x = 1 + 1
```
"""


def test_a_notebook_runs_again_when_its_code_changes_and_not_when_its_prose_does(tmp_path):
    import jupytext
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    execute = _script("execute_notebooks")
    path = tmp_path / "chapter.md"
    path.write_text(NOTEBOOK)
    cache = get_cache(str(tmp_path / "cache"))
    assert not execute._cached(cache, path)
    cache.cache_notebook_bundle(CacheBundleIn(jupytext.read(path), str(path)), check_validity=False)
    assert execute._cached(cache, path)
    path.write_text(NOTEBOOK.replace("Some prose.", "Other prose, same code."))
    assert execute._cached(cache, path)
    path.write_text(NOTEBOOK.replace("x = 1 + 1", "x = 1 + 2"))
    assert not execute._cached(cache, path)


def test_the_cache_records_what_myst_nb_looks_up(tmp_path):
    """myst-nb reads the chapter with its own reader; the key must be the same as jupytext's."""
    import jupytext
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook

    path = tmp_path / "chapter.md"
    path.write_text(NOTEBOOK)
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(jupytext.read(path), str(path)), check_validity=False)
    assert cache.match_cache_notebook(read_myst_markdown_notebook(NOTEBOOK, add_source_map=True, path=path))


@pytest.mark.parametrize("changed", ["data/ips_in_pain/employment.csv", "ipscompendium/general/normal.py", "requirements.txt"])
def test_a_change_in_the_data_the_package_or_the_pins_drops_the_cache(tmp_path, monkeypatch, changed):
    guard = _script("cache_guard")
    for name in ("data", "ipscompendium"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "requirements.txt", tmp_path / "requirements.txt")
    (tmp_path / "notebooks").mkdir()
    build = tmp_path / "_build"
    for name, value in (("ROOT", tmp_path), ("BUILD", build), ("CACHE", build / ".jupyter_cache"),
                        ("DOCTREES", build / ".doctrees"), ("STAMP", build / ".inputs-fingerprint"),
                        ("LEDGER", build / "ledger"), ("NOTEBOOKS", tmp_path / "notebooks")):
        monkeypatch.setattr(guard, name, value)
    guard.main()  # the first build: a fingerprint, nothing to clear
    (build / ".jupyter_cache").mkdir()
    (build / ".doctrees").mkdir()
    guard.main()  # nothing changed: the cache stays
    assert (build / ".jupyter_cache").exists()
    with open(tmp_path / changed, "a") as handle:
        handle.write("\n")
    guard.main()
    assert not (build / ".jupyter_cache").exists() and not (build / ".doctrees").exists()

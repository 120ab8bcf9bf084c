"""The book's skeleton: TOC, notebooks as outputless MyST text, the configuration promises."""

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIRS = ("book", "notebooks")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
        for chapter in part["chapters"]:
            files += [section["file"] for section in chapter.get("sections", [])]
    return files


def _notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.md"))


def test_package_imports():
    import ipscompendium
    from ipscompendium import data, meta_models, plots, trial_models  # noqa: F401
    from ipscompendium.general import design, exact, frequentist, priors, sampling  # noqa: F401

    assert ipscompendium.__version__


def test_every_toc_entry_exists():
    for entry in _toc_files():
        matches = list(ROOT.glob(entry + ".*")) + ([ROOT / entry] if (ROOT / entry).is_file() else [])
        assert matches, f"_toc.yml lists {entry}, which does not exist"


def test_every_chapter_is_in_the_toc():
    listed = {str(Path(f).with_suffix("")) for f in _toc_files()}
    for folder in CONTENT_DIRS:
        for path in (ROOT / folder).glob("*.md"):
            assert str(path.relative_to(ROOT).with_suffix("")) in listed, f"{path.relative_to(ROOT)} is not in _toc.yml"


def test_no_ipynb_is_tracked_or_has_outputs():
    tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert tracked == [], f"notebooks are committed as MyST text, not .ipynb: {tracked}"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_is_myst_text_that_states_its_question_and_ends_with_a_watermark(path):
    import jupytext

    text = path.read_text()
    assert text.startswith("---\njupytext:"), "front matter with the jupytext header expected"
    notebook = jupytext.read(path)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    opening = "\n".join(cell.source for cell in notebook.cells[:3])
    assert "**Question" in opening, "each notebook states its question at the top"
    last_code = [cell for cell in notebook.cells if cell.cell_type == "code"][-1].source
    assert "%watermark" in last_code, "each notebook ends with a watermark cell"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_sampling_notebooks_fix_their_seed(path):
    text = path.read_text()
    if "sampling.sample(" in text:
        assert re.search(r"^SEED = \d+", text, re.MULTILINE), "notebooks that sample set SEED"
        assert "seed: {SEED}" in text, "and print it with the watermark"


def test_config_keeps_its_promises():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["execute"]["raise_on_error"] is True
    assert config["repository"]["branch"] == "main"
    assert config["only_build_toc_files"] is True
    bib = ROOT / config["bibtex_bibfiles"][0]
    keys = set(re.findall(r"@\w+\{([^,]+),", bib.read_text()))
    cited = set()
    for folder in CONTENT_DIRS:
        for path in (ROOT / folder).glob("*.md"):
            for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", path.read_text()):
                cited |= {key.strip() for key in group.split(",")}
    assert cited <= keys, f"cited but not in the bibliography: {sorted(cited - keys)}"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    assert re.search(r"^make test$", ci, re.MULTILINE)


def _glossary() -> dict[str, str]:
    """Glossary term -> its definition, read from book/glossary.md."""
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}")[1].split("\n```")[0]
    terms, current = {}, None
    for line in block.strip("\n").split("\n"):
        if line and not line.startswith(" "):
            current = line.strip()
            terms[current] = ""
        elif current:
            terms[current] += line.strip() + " "
    return terms


def test_glossary_has_25_terms_each_with_its_norwegian_name():
    terms = _glossary()
    assert len(terms) >= 25
    for term, definition in terms.items():
        assert "*Norsk:" in definition, f"glossary: '{term}' has no Norwegian term"
        assert len(definition.split(". ")) <= 4, f"glossary: '{term}' is longer than a plain sentence or two"


def test_every_glossary_term_is_linked_from_a_chapter():
    text = "\n".join(p.read_text() for d in CONTENT_DIRS for p in (ROOT / d).glob("*.md") if p.name != "glossary.md")
    linked = {m.group(2) or m.group(1) for m in re.finditer(r"\{term\}`([^`<]+?)\s*(?:<([^>]+)>)?`", text)}
    linked = {t.strip().lower() for t in linked}
    missing = [t for t in _glossary() if t.lower() not in linked]
    assert not missing, f"glossary terms no chapter links to: {missing}"


def test_first_uses_of_glossary_terms_are_linked():
    # scripts/link_glossary_terms.py links each term's first use in each chapter; after a prose
    # edit, run it again (and review the diff) if this fails.
    import importlib.util

    spec = importlib.util.spec_from_file_location("link_terms", ROOT / "scripts" / "link_glossary_terms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {t for t, _, _ in module.TERMS} <= set(_glossary()), "the script links a term the glossary lacks"
    unlinked = [chapter for chapter in module.CHAPTERS if module.link((ROOT / chapter).read_text()) != (ROOT / chapter).read_text()]
    assert not unlinked, f"first uses not linked in {unlinked}: run scripts/link_glossary_terms.py"


def test_the_answer_key_is_written_from_the_teaching_chapter():
    """book/answer_key.md is scripts/make_answer_key.py's output for the current teaching chapter:
    every exercise, in order, with its solution and the chapter's own glued numbers."""
    import importlib.util
    import re

    spec = importlib.util.spec_from_file_location("make_answer_key", ROOT / "scripts" / "make_answer_key.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    teaching = (ROOT / "notebooks" / "teaching.md").read_text()
    key = (ROOT / "book" / "answer_key.md").read_text()
    assert key == module.answer_key(teaching), "the answer key is stale: run scripts/make_answer_key.py"
    labels = re.findall(r":label: (ex-[\w-]+)", teaching)
    assert [e["label"] for e in module.exercises(teaching)] == labels  # no exercise lost to the parser
    assert all(e["solution"] for e in module.exercises(teaching)) and sum(bool(e["code"]) for e in module.exercises(teaching)) >= 15
    assert "{glue:text}`ex_" not in key and key.count("teaching.md::ex_") > 60

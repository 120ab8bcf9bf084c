"""environment.yml (Binder) and requirements.txt (pip) pin the same packages at the same versions."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pip_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_every_pip_pin_is_exact():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.]+", line), f"not an exact pin: {line}"


def test_binder_installs_what_ci_installs():
    """environment.yml takes Python and pip from conda and nothing else; pip then installs
    requirements.txt, and postBuild the package without dependencies: the same two commands as
    scripts/make_venv.sh, which CI runs."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert env["dependencies"] == ["python=3.12", "pip", {"pip": ["-r requirements.txt"]}]
    make_venv = (ROOT / "scripts" / "make_venv.sh").read_text()
    assert "pip install --quiet -r requirements.txt" in make_venv and "pip install --quiet --no-deps -e ." in make_venv
    post_build = [line for line in (ROOT / "postBuild").read_text().splitlines() if line and not line.startswith("#")]
    assert "python -m pip install --no-deps -e ." in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_jupyter_book_is_the_sphinx_generation():
    assert _pip_pins()["jupyter-book"].startswith("1.")
    assert _pip_pins()["sphinx-book-theme"] == "1.3.0" and _pip_pins()["pydata-sphinx-theme"] == "0.17.1"


def test_pyproject_declares_every_package_the_package_imports():
    """`pip install ipscompendium` must bring everything its modules import."""
    import ast
    import sys
    import tomllib

    declared = {re.split(r"[<>=!~\[ ]", d)[0].lower().replace("_", "-")
                for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    distribution = {"yaml": "pyyaml", "PIL": "pillow", "pandera": "pandera"}
    imported = set()
    for path in (ROOT / "ipscompendium").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "ipscompendium"}
    missing = {distribution.get(m, m).lower().replace("_", "-") for m in third_party} - declared
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_the_general_layer_knows_nothing_about_the_compendium():
    """ipscompendium.general imports only itself (and the package root's interval convention)."""
    import ast

    allowed = {"ipscompendium", "ipscompendium.general"}
    bad = []
    for path in (ROOT / "ipscompendium" / "general").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ipscompendium"):
                if not (node.module in allowed or node.module.startswith("ipscompendium.general.")):
                    bad.append(f"{path.name}: from {node.module} import ...")
                if node.module == "ipscompendium" and {a.name for a in node.names} - {"INTERVAL_PROB"}:
                    bad.append(f"{path.name}: from ipscompendium import {[a.name for a in node.names]}")
            elif isinstance(node, ast.Import):
                bad += [f"{path.name}: import {a.name}" for a in node.names
                        if a.name.startswith("ipscompendium") and not a.name.startswith("ipscompendium.general")]
    assert not bad, "the general layer imports the compendium's modules:\n" + "\n".join(bad)

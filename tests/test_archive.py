"""The compendium as an archive: its citation file, its data package and its lock file."""

import csv
import importlib.util
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_citation_cff_is_valid_citation_file_format():
    import jsonschema

    schema = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text())
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    citation["date-released"] = str(citation["date-released"])  # YAML reads a bare date as a date object
    jsonschema.validate(citation, schema, format_checker=jsonschema.FormatChecker())
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{citation["version"]}"' in pyproject, "CITATION.cff and pyproject.toml disagree on the version"


def test_citation_cff_schema_catches_a_broken_file():
    import jsonschema

    schema = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cff-version": "1.2.0", "title": "no authors, no message"}, schema)


def test_datapackage_lists_every_csv_in_data_and_is_up_to_date():
    committed = json.loads((ROOT / "datapackage.json").read_text())
    listed = {r["path"] for r in committed["resources"]}
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "data").rglob("*.csv")}
    assert listed == on_disk
    assert committed == json.loads(json.dumps(_script("make_datapackage").package())), \
        "datapackage.json is out of step with the tables' schemas: run scripts/make_datapackage.py"
    assert committed["licenses"] and all(r.get("licenses") for r in committed["resources"])


def test_datapackage_validates_with_frictionless():
    from frictionless import validate

    # The raw excerpts are kept byte for byte as read; one ends its header with an empty column,
    # which Frictionless reports as a blank label. Nothing else is skipped.
    report = validate(str(ROOT / "datapackage.json"), skip_errors=["blank-label"])
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    assert report.valid, "\n".join(problems[:10])


def test_lock_file_agrees_with_the_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith(("#", "--")):
            name, version = line.split(";")[0].split("==")
            lock[name.strip().lower().replace("_", "-")] = version.split()[0].strip(" \\")
    assert "--hash=sha256:" in (ROOT / "requirements.lock").read_text()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            key = name.strip().lower().replace("_", "-")
            assert lock.get(key) == version.strip(), f"requirements.lock has {key} {lock.get(key)}, requirements.txt {version}"

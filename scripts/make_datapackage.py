"""Write datapackage.json: a Frictionless Data Package describing every CSV file in data/.

The descriptions, types and keys come from the same schemas that validate the tables
(ipscompendium.data.TABLES, the stored MAP prior's schema); the raw excerpts, which have no
schema of their own, are described by frictionless from their contents. Run after changing a
table or its schema: `python scripts/make_datapackage.py`; tests/test_archive.py fails while the
committed file is out of step.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 (the compilation); each number is a fact from the publication its row names",
}
#: Units that the column names and descriptions imply, stated once for the archive.
UNITS = {"months": "months", "pct": "percent", "n_": "participants", "events_": "participants", "employed_": "participants",
         "total_randomized": "participants", "score": "points", "year": "calendar year"}


def _field_type(dtype: str) -> str:
    text = str(dtype).lower()
    if "int" in text:
        return "integer"
    if "float" in text:
        return "number"
    if "bool" in text:
        return "boolean"
    return "string"


def _unit(name: str) -> str | None:
    for key, unit in UNITS.items():
        if key in name:
            return unit
    return None


def _schema_fields(schema, path: Path) -> list[dict]:
    """The schema's columns in the order of the file's header (Frictionless matches fields by position)."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    fields = []
    for name in header:
        column = schema.columns[name]
        field = {"name": name, "type": _field_type(column.dtype), "description": column.description or ""}
        unit = _unit(name)
        if unit:
            field["unit"] = unit  # a custom property: Frictionless keeps unknown field properties
        fields.append(field)
    return fields


def _described(path: Path) -> dict:
    """A resource for a CSV without a schema of ours, as frictionless infers it."""
    from frictionless import describe

    resource = describe(str(path.relative_to(ROOT)), type="resource", basepath=str(ROOT))
    return resource.to_descriptor()


def package() -> dict:
    from ipscompendium import data
    from ipscompendium.map_prior import MAP_PRIOR_PATH, MAP_SCHEMA

    specs = [(name, spec.relative_path, spec.title, spec.schema, spec.key_columns) for name, spec in data.TABLES.items()]
    specs.append(("map_prior", str(MAP_PRIOR_PATH.relative_to(DATA)), "The meta-analytic-predictive prior, computed from trials.csv",
                  MAP_SCHEMA, ("component",)))
    resources, described = [], set()
    for name, relative, title, schema, keys in specs:
        path = f"data/{relative}"
        described.add(path)
        resource = {"name": name.replace("_", "-"), "path": path, "title": title, "format": "csv", "mediatype": "text/csv",
                    "encoding": "utf-8", "schema": {"fields": _schema_fields(schema, ROOT / path)}, "licenses": [LICENCE]}
        if keys:
            resource["schema"]["primaryKey"] = list(keys)
        if "source" in schema.columns:
            resource["sources"] = [{"title": "per row: the publication, table or page in the column 'source'"}]
        resources.append(resource)
    for path in sorted(DATA.rglob("*.csv")):
        relative = str(path.relative_to(ROOT))
        if relative not in described:
            resource = _described(path)
            resource.update({"title": f"Excerpt as read, before tidying: {path.name}", "licenses": [LICENCE],
                             "sources": [{"title": "see data/meta_analysis/raw/ and data/README.md"}]})
            resources.append(resource)
    return {
        "name": "ipscompendium-data",
        "title": "IPS compendium: the numbers behind a Bayesian re-analysis of Individual Placement and Support",
        "description": ("Every number the compendium analyses: the IPS in Pain trial's results, a sourced reconstruction of "
                        "the trials of Brinchmann et al. 2020 with the status of every count, country covariates, published "
                        "pooled results and prior anchors. Each row names its source; see data/README.md."),
        "version": "0.1.0",
        "licenses": [LICENCE],
        "homepage": "https://github.com/ipscompendium/ipscompendium",
        "resources": resources,
    }


def main() -> None:
    (ROOT / "datapackage.json").write_text(json.dumps(package(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

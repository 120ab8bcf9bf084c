"""Invalidate the notebook execution cache when the analysis inputs change.

Jupyter Book's cache is keyed on the code cells only, so a changed data file, a
changed function in ``ipscompendium`` or a new pin would otherwise be served from
stale outputs. We fingerprint those inputs and drop the cache when they change.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ["data", "ipscompendium", "requirements.txt"]
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
# Sphinx's pickled environment: without it gone, Sphinx would not re-read the unchanged
# notebook sources and so would not ask for the (now cleared) execution.
DOCTREES = BUILD / ".doctrees"
STAMP = BUILD / ".inputs-fingerprint"
# Each chapter that publishes numbers writes its ledger when it executes; a cached chapter does
# not re-execute, so a missing ledger file means the cache must go too.
LEDGER = BUILD / "ledger"
NOTEBOOKS = ROOT / "notebooks"


def missing_ledgers() -> list[str]:
    publishing = [p.stem for p in sorted(NOTEBOOKS.glob("*.md")) if "publish.Publisher(" in p.read_text()]
    return [name for name in publishing if not (LEDGER / f"{name}.csv").exists()]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def main() -> None:
    current = fingerprint()
    previous = STAMP.read_text().strip() if STAMP.exists() else None
    missing = missing_ledgers() if CACHE.exists() else []
    if (previous is not None and previous != current) or missing:
        reason = f"ledger files missing for {', '.join(missing)}" if missing else "inputs changed since the last build"
        print(f"{reason[0].upper()}{reason[1:]}: clearing the execution cache.")
        for folder in (CACHE, DOCTREES):
            if folder.exists():
                shutil.rmtree(folder)
    BUILD.mkdir(exist_ok=True)
    STAMP.write_text(current + "\n")


if __name__ == "__main__":
    main()

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
    if previous is not None and previous != current:
        print("Inputs changed since the last build: clearing the execution cache.")
        for folder in (CACHE, DOCTREES):
            if folder.exists():
                shutil.rmtree(folder)
    BUILD.mkdir(exist_ok=True)
    STAMP.write_text(current + "\n")


if __name__ == "__main__":
    main()

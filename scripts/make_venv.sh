#!/usr/bin/env bash
# Create the virtual environment $1 with a Python >= 3.12 and install the pinned stack.
# Used by the Makefile; safe to run again (it only installs what is missing).
set -euo pipefail
venv=${1:-.venv}

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  if [ -n "${PYTHON:-}" ]; then python_ok "$PYTHON" && { echo "$PYTHON"; return; }; fi
  for candidate in python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then echo "$candidate"; return; fi
  done
  # pyenv installs that are present but not active (as on the project's build machines),
  # looked up on disk so that the pyenv command itself need not be on PATH
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  if command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; fi
  for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -V); do
    if python_ok "$candidate/bin/python"; then echo "$candidate/bin/python"; return; fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ]; then
  if ! python=$(find_python); then
    echo "error: no Python >= 3.12 found. Install one (e.g. 'pyenv install 3.12' or your system's python3.12)," >&2
    echo "       or point PYTHON=/path/to/python3.12 at it, then run the command again." >&2
    exit 1
  fi
  echo "Creating $venv with $python ($("$python" --version))"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r requirements.txt
"$venv/bin/python" -m pip install --quiet --no-deps -e .

"""Time one stage of `make test` and keep the times: ``timed.py NAME -- COMMAND...`` runs the
command, adds "NAME, seconds, exit status" to _build/stage_times.csv and exits with the command's
status; ``timed.py --report`` prints the stages' times (CI prints them at the end of its run), and
``timed.py --reset`` starts a new record. Standard library only: it runs before the environment exists.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

RECORD = Path(__file__).resolve().parent.parent / "_build" / "stage_times.csv"


def main(argv: list[str]) -> int:
    if argv == ["--reset"]:
        RECORD.unlink(missing_ok=True)
        return 0
    if argv == ["--report"]:
        if not RECORD.exists():
            print("no stage times recorded")
            return 0
        rows = list(csv.reader(RECORD.open()))
        total = sum(float(seconds) for _, seconds, _ in rows)
        print("stage times:")
        for name, seconds, status in rows:
            print(f"  {name:<34} {float(seconds):7.1f} s{'' if status == '0' else f'  (exit {status})'}")
        print(f"  {'total':<34} {total:7.1f} s ({total / 60:.1f} min)")
        return 0
    if "--" not in argv or argv.index("--") != 1:
        print(__doc__, file=sys.stderr)
        return 2
    name, command = argv[0], argv[2:]
    start = time.perf_counter()
    status = subprocess.call(command)
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    with RECORD.open("a", newline="") as handle:
        csv.writer(handle).writerow([name, f"{time.perf_counter() - start:.1f}", status])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Execute the book's notebooks in parallel, each as JupyterLab's "Run all" does: converted from
MyST markdown with jupytext, a fresh kernel, the working directory ``notebooks/``.

Two uses:

- ``--cache DIR`` (``make book``): execute only the notebooks whose code is not in the book's
  jupyter-cache yet, several at once, and store them there; the book build then finds every
  notebook in the cache instead of executing them one after another. The cache key is
  jupyter-cache's own hash of the code cells and the kernel (the one myst-nb looks up), so a
  change to a notebook's code re-executes it; ``scripts/cache_guard.py`` clears the cache when
  the package, the data or the pins change.
- ``--report FILE`` (``make rerun-check``): execute every notebook afresh and write a table of
  wall time and peak memory per notebook (the kernel's and this client's peaks, added: an upper
  bound on what a Binder session holds). It fails when a notebook raises or needs more than
  ``--max-gb`` (mybinder.org gives 2 GB).

Each notebook runs in its own worker process, so that the peak memory of its kernel is its own.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: mybinder.org's memory limit, and the time a reader waits for "Run all" at most (issue 23).
MAX_GB = 2.0
TARGET_SECONDS = 60.0


def _execute(path: str, timeout: int) -> dict:
    """Run one notebook in a fresh kernel (in this worker process); its outputs, time and memory."""
    import jupytext
    import nbclient

    notebook = jupytext.read(path)
    start = time.perf_counter()
    error = ""
    try:
        # record_timing=False: timings in the cells' metadata would change the cache key (as myst-nb runs it)
        nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    except Exception as exception:  # noqa: BLE001 - reported, and the run fails
        error = f"{type(exception).__name__}: {str(exception).strip().splitlines()[-1] if str(exception).strip() else ''}"
    seconds = time.perf_counter() - start
    # ru_maxrss is in kB on Linux: the kernel (a child of this worker) and this worker (the client)
    kernel = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    client = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return {"notebook": Path(path).stem, "seconds": seconds, "peak_gb": kernel + client, "error": error,
            "notebook_node": notebook}


def notebooks(only: list[str] | None = None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("*.md"))
    if only:
        paths = [p for p in paths if p.stem in only]
        missing = sorted(set(only) - {p.stem for p in paths})
        if missing:
            raise SystemExit(f"no such notebook: {', '.join(missing)}")
    return paths


def _cached(cache, path: Path) -> bool:
    import jupytext

    try:
        cache.match_cache_notebook(jupytext.read(path))
        return True
    except KeyError:
        return False


def run(paths: list[Path], jobs: int, timeout: int, cache_dir: Path | None = None) -> list[dict]:
    cache = None
    if cache_dir is not None:
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_dir))
        paths = [p for p in paths if not _cached(cache, p)]
    if not paths:
        return []
    results = []
    # one fresh worker per notebook: its children's peak memory is that notebook's kernel alone
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context, max_tasks_per_child=1) as pool:
        # the longest first, so that the pool's last minutes are not spent on one long notebook
        order = sorted(paths, key=lambda p: -p.stat().st_size)
        futures = {pool.submit(_execute, str(p), timeout): p for p in order}
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            path = futures[future]
            status = "failed: " + result["error"] if result["error"] else "ok"
            print(f"  {result['notebook']:<22} {result['seconds']:6.1f} s  {result['peak_gb']:.2f} GB  {status}", flush=True)
            if cache is not None and not result["error"]:
                from jupyter_cache.base import CacheBundleIn

                cache.cache_notebook_bundle(CacheBundleIn(result["notebook_node"], str(path),
                                                       data={"execution_seconds": result["seconds"]}),
                                            check_validity=False, overwrite=True)
            results.append(result)
    return results


def write_report(results: list[dict], path: Path, jobs: int) -> None:
    """The re-run table: markdown, as the README shows it."""
    lines = [f"| notebook | time (s) | peak memory (GB) | within {TARGET_SECONDS:.0f} s and {MAX_GB:g} GB |", "|---|---:|---:|---|"]
    for r in sorted(results, key=lambda r: r["notebook"]):
        fine = not r["error"] and r["seconds"] <= TARGET_SECONDS and r["peak_gb"] <= MAX_GB
        lines.append(f"| {r['notebook']} | {r['seconds']:.0f} | {r['peak_gb']:.2f} | "
                     f"{'yes' if fine else 'no' + (' (error)' if r['error'] else '')} |")
    lines.append("")
    lines.append(f"{len(results)} notebooks, {jobs} at a time, on {os.cpu_count()} cores; "
                 f"each converted with jupytext and run in a fresh kernel in `notebooks/` (scripts/execute_notebooks.py).")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=900, help="seconds a cell may run")
    parser.add_argument("--cache", type=Path, help="execute only what this jupyter-cache lacks, and store it there")
    parser.add_argument("--report", type=Path, help="write the table of time and memory here")
    parser.add_argument("--max-gb", type=float, default=MAX_GB)
    args = parser.parse_args(argv)

    paths = notebooks(args.names)
    start = time.perf_counter()
    results = run(paths, args.jobs, args.timeout, args.cache)
    print(f"executed {len(results)} of {len(paths)} notebooks in {time.perf_counter() - start:.0f} s "
          f"({args.jobs} at a time){'; the rest were in the cache' if args.cache and len(results) < len(paths) else ''}")
    if args.report:
        write_report(results, args.report, args.jobs)
    failed = [r for r in results if r["error"]]
    heavy = [r for r in results if r["peak_gb"] > args.max_gb]
    for r in failed:
        print(f"error in {r['notebook']}: {r['error']}", file=sys.stderr)
    for r in heavy:
        print(f"{r['notebook']} needed {r['peak_gb']:.2f} GB, more than {args.max_gb:g} GB", file=sys.stderr)
    # with --cache, a failed notebook is left to the book build, which shows the failing cell
    return 1 if (heavy or (failed and not args.cache)) else 0


if __name__ == "__main__":
    sys.exit(main())

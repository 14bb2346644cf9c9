"""Build the book: execute every chapter (cached, in parallel), then run Jupyter Book.

Nothing is executed over the sources: chapters are executed into
``_build/exec/``, a complete Sphinx source tree is assembled in a fresh staging
folder, and the finished site replaces ``_build/html`` only when it is complete,
so a failed or interrupted build leaves the previous book intact.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from labecon_core import data
from labecon_core.chapters import ROOT, Chapter, chapters, toc_files
from labecon_core.charts import write_mathjax, write_vega_bundle
from labecon_core.errors import ChapterError, LabeconError
from labecon_core.execute import execute


@dataclass(frozen=True)
class ChapterBuild:
    """How one chapter was produced in a build."""

    slug: str
    seconds: float
    cached: bool


def _tree_hash(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(chapter: Chapter, root: Path = ROOT) -> str:
    """Key of a chapter's executed notebook: its content, parameters, the core's sources and the data."""
    digest = hashlib.sha256()
    digest.update(chapter.path.read_bytes())
    digest.update(json.dumps(chapter.defaults(), sort_keys=True).encode())
    digest.update(_tree_hash((root / "labecon_core").rglob("*.py")).encode())
    digest.update(_tree_hash(p for p in (root / "data").rglob("*") if p.is_file()).encode())
    return digest.hexdigest()[:20]


def _execute_cached(chapter: Chapter, build_dir: Path, force: bool) -> ChapterBuild:
    key = cache_key(chapter)
    cached = build_dir / "cache" / chapter.slug / f"{key}.ipynb"
    target = build_dir / "exec" / chapter.path.relative_to(ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    if cached.exists() and not force:
        shutil.copyfile(cached, target)
        return ChapterBuild(chapter.slug, 0.0, True)
    scratch = build_dir / "cache" / chapter.slug / f"{key}.running.ipynb"
    run = execute(chapter, scratch)
    (scratch.parent / f"{key}.results.json").write_text(run.results_json())
    os.replace(scratch, cached)
    shutil.copyfile(cached, target)
    return ChapterBuild(chapter.slug, run.seconds, False)


def execute_all(build_dir: Path, jobs: int, force: bool, log=print) -> list[ChapterBuild]:
    """Execute (or take from the cache) every chapter; raise after all finish if any failed."""
    todo = chapters()
    done, failures = [], []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_execute_cached, c, build_dir, force): c for c in todo}
        for n, future in enumerate(as_completed(futures), 1):
            chapter = futures[future]
            try:
                result = future.result()
            except ChapterError as exc:
                failures.append(str(exc))
                log(f"[{n}/{len(todo)}] {chapter.slug:<24} FAILED")
                continue
            done.append(result)
            how = "cached" if result.cached else f"{result.seconds:5.1f} s"
            log(f"[{n}/{len(todo)}] {chapter.slug:<24} {how}")
    if failures:
        raise ChapterError("; ".join(failures))
    order = {c.slug: i for i, c in enumerate(todo)}
    return sorted(done, key=lambda b: order[b.slug])


def _stage(build_dir: Path) -> Path:
    """Assemble a Sphinx source tree from the sources and the executed chapters."""
    stage = build_dir / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, stage / name)
    shutil.copytree(ROOT / "data" / "bib", stage / "data" / "bib")
    for entry in toc_files():
        src = ROOT / f"{entry}.md"
        if src.exists():
            shutil.copyfile(src, stage / f"{entry}.md")
        executed = build_dir / "exec" / f"{entry}.ipynb"
        if executed.exists():
            shutil.copyfile(executed, stage / f"{entry}.ipynb")
    write_vega_bundle(stage / "_static")
    write_mathjax(stage / "_static")
    return stage


def _jupyter_book() -> str:
    local = Path(sys.executable).with_name("jupyter-book")
    return str(local) if local.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def render(build_dir: Path, log=print) -> Path:
    """Run Jupyter Book (warnings as errors) on the staged tree and swap the site in."""
    stage = _stage(build_dir)
    out = build_dir / "stage-out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [_jupyter_book(), "build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise LabeconError(
            "jupyter-book build failed (the previous book is untouched):\n" + (proc.stdout + proc.stderr)[-4000:]
        )
    site, final, old = out / "_build" / "html", build_dir / "html", build_dir / "html.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    site.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return final


def build(build_dir: Path = ROOT / "_build", jobs: int | None = None, force: bool = False, log=print) -> Path:
    """Build the whole book into ``build_dir / 'html'``; return the site's folder.

    Parameters
    ----------
    build_dir : Path
        Where executed chapters, the cache and the site go.
    jobs : int, optional
        Chapters executed at once (default: the number of cores).
    force : bool
        Re-execute every chapter even if its cached result is current.
    """
    start = time.perf_counter()
    data.validate_all()
    log("executing chapters")
    built = execute_all(build_dir, jobs or os.cpu_count() or 1, force, log)
    log("rendering the book with jupyter-book")
    t = time.perf_counter()
    site = render(build_dir, log)
    render_s = time.perf_counter() - t
    log("\nsummary")
    for b in built:
        log(f"  {b.slug:<24} {'cached' if b.cached else f'{b.seconds:6.1f} s'}")
    log(f"  {'jupyter-book':<24} {render_s:6.1f} s")
    log(f"  {'total':<24} {time.perf_counter() - start:6.1f} s")
    log(f"\nthe book is at {site / 'index.html'}")
    return site

"""Build the book: execute every chapter (cached, in parallel), then run Jupyter Book.

Nothing is executed over the sources: chapters are executed into
``_build/exec/``, a complete Sphinx source tree is assembled in a fresh staging
folder, and the finished site replaces ``_build/html`` only when it is complete,
so a failed or interrupted build leaves the previous book intact.

The cache keeps, per chapter, the executed notebook with the hashes of what it
depended on: the notebook, its parameters, the ``labecon_core`` modules its
kernel imported and the ``data/`` tables it read (both recorded while it ran).
A chapter is re-executed when, and only when, one of those changed.
"""

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat

from labecon_core.assets import write_mathjax, write_vega_bundle
from labecon_core.chapters import PACKAGE, ROOT, Chapter, chapters, toc_files
from labecon_core.errors import ChapterError, LabeconError


@dataclass(frozen=True)
class ChapterBuild:
    """How one chapter was produced in a build."""

    slug: str
    seconds: float
    cached: bool


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _inputs(chapter: Chapter) -> dict:
    return {"notebook": _sha(chapter.path),
            "parameters": hashlib.sha256(json.dumps(chapter.defaults(), sort_keys=True).encode()).hexdigest()}


DATA = ROOT / "data"


def _dep_files(deps: dict) -> dict[str, Path]:
    files = {f"labecon_core/{m}": PACKAGE / m for m in deps["modules"]}
    for table in deps["tables"]:
        for suffix in (".csv", ".schema.yml"):
            files[f"data/{table}{suffix}"] = DATA / f"{table}{suffix}"
    return files


def validate_data(build_dir: Path) -> None:
    """Check every table (:func:`labecon_core.data.validate_all`) unless nothing in ``data/`` changed.

    The fingerprint covers the tables, their schemas, the bibliography and the
    checking code; the check itself (pandas, pandera) is loaded only when needed.
    """
    digest = hashlib.sha256(_sha(PACKAGE / "data.py").encode())
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):
        digest.update(path.relative_to(DATA).as_posix().encode() + b"\0" + _sha(path).encode())
    stamp = build_dir / "cache" / "data.validated"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    from labecon_core import data

    data.validate_all(DATA)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest())


class ChapterCache:
    """The executed notebook of each chapter, valid while its recorded dependencies are unchanged."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _entry(self, slug: str) -> Path:
        return self.folder / slug / "entry.json"

    def lookup(self, chapter: Chapter) -> Path | None:
        """The cached executed notebook if it is current, else ``None``."""
        entry = self._entry(chapter.slug)
        if not entry.exists():
            return None
        meta = json.loads(entry.read_text())
        if meta["inputs"] != _inputs(chapter):
            return None
        if any(_sha(path) != meta["files"].get(name) for name, path in _dep_files(meta["deps"]).items()):
            return None
        notebook = entry.parent / "executed.ipynb"
        return notebook if notebook.exists() else None

    def store(self, chapter: Chapter, notebook: Path, deps: dict, results_json: str) -> Path:
        """Keep an executed notebook with the hashes of what it depended on; return its cached path."""
        folder = self.folder / chapter.slug
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(notebook, folder / "executed.ipynb")
        (folder / "results.json").write_text(results_json)
        meta = {"inputs": _inputs(chapter), "deps": deps,
                "files": {name: _sha(path) for name, path in _dep_files(deps).items()}}
        tmp = folder / "entry.json.tmp"
        tmp.write_text(json.dumps(meta, indent=1, sort_keys=True))
        os.replace(tmp, self._entry(chapter.slug))
        return folder / "executed.ipynb"


class _Workers:
    """Chapter executions running in their own processes, at most ``jobs`` at once."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)
        self.running: dict[subprocess.Popen, tuple[Chapter, Path, float]] = {}

    def start(self, chapter: Chapter, out: Path) -> None:
        cmd = [sys.executable, "-m", "labecon_core.execute", chapter.slug, str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=os.environ | {"LABECON_ROOT": str(ROOT)})
        self.running[proc] = (chapter, out, time.perf_counter())

    def wait_one(self):
        """Block until a worker ends; return (chapter, out, stdout, stderr, returncode)."""
        while True:
            for proc in list(self.running):
                if proc.poll() is not None:
                    chapter, out, _ = self.running.pop(proc)
                    stdout, stderr = proc.communicate()
                    return chapter, out, stdout, stderr, proc.returncode
            time.sleep(0.05)

    def stop_all(self) -> None:
        """Ask every worker to stop (its kernel is shut down), then make sure they are gone."""
        for proc in self.running:
            proc.terminate()
        for proc in self.running:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.running.clear()


def execute_all(build_dir: Path, jobs: int, force: bool, log=print) -> list[ChapterBuild]:
    """Execute (or take from the cache) every chapter; raise after all finish if any failed.

    Chapters that succeed are cached even when another fails.
    """
    todo = chapters()
    cache = ChapterCache(build_dir / "cache")
    exec_dir = build_dir / "exec"
    done, failures, queue = {}, [], []
    for chapter in todo:
        hit = None if force else cache.lookup(chapter)
        if hit:
            _publish(hit, exec_dir, chapter)
            done[chapter.slug] = ChapterBuild(chapter.slug, 0.0, True)
            log(f"[{len(done)}/{len(todo)}] {chapter.slug:<24} cached")
        else:
            queue.append(chapter)
    workers = _Workers(jobs)
    try:
        while queue or workers.running:
            while queue and len(workers.running) < workers.jobs:
                chapter = queue.pop(0)
                workers.start(chapter, build_dir / "cache" / chapter.slug / "running.ipynb")
            chapter, out, stdout, stderr, code = workers.wait_one()
            n = len(done) + len(failures) + 1
            if code != 0:
                lines = stderr.strip().splitlines()
                failures.append(lines[-1] if lines else f"chapter {chapter.slug!r} failed (exit {code})")
                log(f"[{n}/{len(todo)}] {chapter.slug:<24} FAILED")
                continue
            summary = json.loads(stdout.strip().splitlines()[-1])
            cached = cache.store(chapter, out, summary["deps"], summary["results"])
            _publish(cached, exec_dir, chapter)
            done[chapter.slug] = ChapterBuild(chapter.slug, summary["seconds"], False)
            log(f"[{n}/{len(todo)}] {chapter.slug:<24} {summary['seconds']:5.1f} s")
    finally:
        workers.stop_all()
    if failures:
        raise ChapterError("; ".join(failures))
    return [done[c.slug] for c in todo]


def _publish(notebook: Path, exec_dir: Path, chapter: Chapter) -> None:
    target = exec_dir / chapter.path.relative_to(ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    shutil.copyfile(notebook.parent / "results.json", target.with_suffix(".results.json"))


def rerun_markdown(chapter: Chapter) -> str:
    """The box closing every chapter page: the command that re-runs it, and its outputs to download."""
    lines = [f"labecon run {chapter.slug} \\"]
    for p in chapter.parameters:
        lines.append(f"    -p {p.name} {shlex.quote(str(p.default))} \\")
    lines.append(f"    --out runs/{chapter.slug}")
    return (
        ":::{admonition} Re-run this chapter\n:class: tip\n\n"
        "This page was executed with the defaults below. Change any of them and run "
        "(from a clone of the book, after `make book`):\n\n"
        "```bash\n" + "\n".join(lines) + "\n```\n\n"
        f"{{download}}`The executed notebook <_runs/{chapter.slug}.ipynb>` · "
        f"{{download}}`results.json <_runs/{chapter.slug}.results.json>` "
        "(every parameter value and the headline results)\n:::\n"
    )


def _stage(build_dir: Path) -> Path:
    """Assemble a Sphinx source tree from the sources and the executed chapters."""
    stage = build_dir / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, stage / name)
    shutil.copytree(ROOT / "data" / "bib", stage / "data" / "bib")
    by_path = {c.path.relative_to(ROOT).with_suffix("").as_posix(): c for c in chapters()}
    for entry in toc_files():
        src = ROOT / f"{entry}.md"
        if src.exists():
            shutil.copyfile(src, stage / f"{entry}.md")
        executed = build_dir / "exec" / f"{entry}.ipynb"
        if executed.exists():
            chapter = by_path[entry]
            runs = stage / "book" / "_runs"
            runs.mkdir(exist_ok=True)
            shutil.copyfile(executed, runs / f"{chapter.slug}.ipynb")
            shutil.copyfile(executed.with_suffix(".results.json"), runs / f"{chapter.slug}.results.json")
            nb = nbformat.read(executed, as_version=4)
            nb.cells.append(nbformat.v4.new_markdown_cell(rerun_markdown(chapter), id="labecon-rerun"))
            nbformat.write(nb, stage / f"{entry}.ipynb")
    from labecon_core.appendices import write_appendices  # loads the data stack: only when staging

    write_appendices(stage / "book")
    # Keyed on the vl-convert version, so one copy serves every build folder.
    write_vega_bundle(stage / "_static", ROOT / "_build" / "cache")
    write_mathjax(stage / "_static")
    return stage


def _jupyter_book() -> str:
    local = Path(sys.executable).with_name("jupyter-book")
    return str(local) if local.exists() else (shutil.which("jupyter-book") or "jupyter-book")


_RENDERERS = ("jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "pydata-sphinx-theme", "sphinxcontrib-bibtex",
              "vl-convert-python", "django-static-mathjax")
_STAGING_CODE = ("build.py", "sphinx_ext.py", "appendices.py", "data.py", "assets.py", "chapters.py")


def _site_inputs(build_dir: Path) -> str:
    """Fingerprint of everything the site is made from, taken before staging anything.

    The executed chapters, the book's own pages and configuration, the data and
    bibliography (appendices, citations), the chapters' sources (the parameters
    appendix), the code that stages and renders, and the renderers' versions.
    """
    files = [ROOT / "_config.yml", ROOT / "_toc.yml", *sorted((ROOT / "book").glob("*.md")),
             *sorted((ROOT / "book").glob("*.ipynb")), *sorted(p for p in DATA.rglob("*") if p.is_file()),
             *sorted(p for p in (build_dir / "exec").rglob("*") if p.is_file()),
             *(PACKAGE / m for m in _STAGING_CODE)]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + b"\0" + _sha(path).encode())
    digest.update(";".join(f"{name}=={metadata.version(name)}" for name in _RENDERERS).encode())
    return digest.hexdigest()


def render(build_dir: Path) -> tuple[Path, bool]:
    """Run Jupyter Book (warnings as errors) on a staged tree and swap the site in.

    Returns the site and whether it was rebuilt: when nothing it is made from
    changed since the site in place was built, nothing is staged or rendered.
    """
    stamp, final = build_dir / "html.sources.sha256", build_dir / "html"
    sources = _site_inputs(build_dir)
    if final.exists() and stamp.exists() and stamp.read_text() == sources:
        return final, False
    stage = _stage(build_dir)
    out = build_dir / "stage-out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [_jupyter_book(), "build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise LabeconError(
            "jupyter-book build failed (the previous book is untouched):\n" + (proc.stdout + proc.stderr)[-4000:]
        )
    site, old = out / "_build" / "html", build_dir / "html.old"
    shutil.rmtree(old, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    if final.exists():
        final.rename(old)
    site.rename(final)
    stamp.write_text(sources)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return final, True


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def build(build_dir: Path | None = None, jobs: int | None = None, force: bool = False, log=print) -> Path:
    """Build the whole book into ``build_dir / 'html'``; return the site's folder.

    Parameters
    ----------
    build_dir : Path, optional
        Where executed chapters, the cache and the site go (default ``_build``).
    jobs : int, optional
        Chapters executed at once (default: the number of cores).
    force : bool
        Re-execute every chapter even if its cached result is current.

    Bad data stops the build before any chapter executes. SIGTERM is handled like
    SIGINT: workers and their kernels are stopped, and ``_build/html`` is left as it was.
    """
    build_dir = build_dir or ROOT / "_build"
    start = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        validate_data(build_dir)
        log("executing chapters")
        built = execute_all(build_dir, jobs or os.cpu_count() or 1, force, log)
        t = time.perf_counter()
        site, rendered = render(build_dir)
        render_s = time.perf_counter() - t
    finally:
        signal.signal(signal.SIGTERM, previous)
        for scratch in ("stage", "stage-out"):
            shutil.rmtree(build_dir / scratch, ignore_errors=True)
    log("\nsummary")
    for b in built:
        log(f"  {b.slug:<24} {'cached' if b.cached else f'{b.seconds:6.1f} s'}")
    log(f"  {'jupyter-book':<24} {f'{render_s:6.1f} s' if rendered else 'site current'}")
    log(f"  {'total':<24} {time.perf_counter() - start:6.1f} s")
    log(f"\nthe book is at {site / 'index.html'}")
    return site

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

import contextlib
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

import nbformat

from labecon_book import fallbacks, processes
from labecon_book.assets import DATA_FOLDER, write_mathjax, write_reader_assets, write_vega_bundle
from labecon_book.chapters import Chapter, chapter, chapters, toc_files
from labecon_book.datacheck import validate_data
from labecon_book.deps import LIBRARY, tables_read
from labecon_book.kernels import KernelServer
from labecon_book.outputs import DEFAULT_BUILD, check_folder, claim
from labecon_book.render import PENDING_PAGES
from labecon_core.errors import ChapterError, LabeconError
from labecon_core.paths import DATA, ROOT


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




def _dep_files(deps: dict) -> dict[str, Path]:
    files = {f"labecon_core/{m}": LIBRARY / m for m in deps["modules"]}
    for table in deps["tables"]:
        for suffix in (".csv", ".schema.yml"):
            files[f"data/{table}{suffix}"] = DATA / f"{table}{suffix}"
    return files


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

    def last_seconds(self, chapter: Chapter) -> float | None:
        """How long the chapter took when it was last executed here (current or not), if it was."""
        entry = self._entry(chapter.slug)
        return json.loads(entry.read_text()).get("seconds") if entry.exists() else None

    def store(self, chapter: Chapter, notebook: Path, deps: dict, results_json: str, seconds: float) -> Path:
        """Keep an executed notebook with the hashes of what it depended on; return its cached path."""
        folder = self.folder / chapter.slug
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(notebook, folder / "executed.ipynb")
        (folder / "results.json").write_text(results_json)
        meta = {"inputs": _inputs(chapter), "deps": deps, "seconds": round(seconds, 1),
                "files": {name: _sha(path) for name, path in _dep_files(deps).items()}}
        tmp = folder / "entry.json.tmp"
        tmp.write_text(json.dumps(meta, indent=1, sort_keys=True))
        os.replace(tmp, self._entry(chapter.slug))
        return folder / "executed.ipynb"


def _work(jobs: Connection, kernel_manager_class, inherited: list[Connection]) -> None:
    """A build worker: execute each chapter it is sent and report back.

    Forked from the build, so it starts with papermill imported; its chapters' kernels
    come from the build's kernel server. It ends when the build closes
    its end of ``jobs``; SIGTERM stops it at once, and papermill then shuts the running
    kernel down.
    """
    from labecon_book.execute import execute  # loaded by the build before it forked this worker

    signal.signal(signal.SIGTERM, _raise_interrupt)
    for conn in inherited:
        conn.close()  # the build's ends of the pipes: with copies open here, no worker would see the build close its
    while True:
        try:
            slug, out = jobs.recv()
        except EOFError:
            return
        # The kernel writes where this worker does: its start-up notices go to a log, not the build's terminal.
        out.parent.mkdir(parents=True, exist_ok=True)
        log = os.open(out.with_name("execute.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        try:
            run = execute(chapter(slug), out, kernel_manager_class=kernel_manager_class)
            jobs.send({"seconds": run.seconds, "deps": run.deps, "results": run.results_json()})
        except Exception as exc:  # reported as this chapter's failure; the worker goes on
            jobs.send({"error": str(exc) if isinstance(exc, LabeconError)
                       else f"chapter {slug!r} failed: {type(exc).__name__}: {exc}"})


_FORK = multiprocessing.get_context("fork")


class _Workers:
    """Worker processes, each executing one chapter at a time."""

    def __init__(self, jobs: int, kernel_manager_class):
        self.idle: list[tuple[BaseProcess, Connection]] = []
        self.busy: dict[Connection, tuple[BaseProcess, Chapter, Path]] = {}
        for _ in range(max(1, jobs)):
            ours, theirs = _FORK.Pipe()
            inherited = [ours, *(conn for _, conn in self.idle)]
            proc = _FORK.Process(target=_work, args=(theirs, kernel_manager_class, inherited), daemon=True)
            proc.start()
            theirs.close()
            self.idle.append((proc, ours))

    def start(self, chapter: Chapter, out: Path) -> None:
        proc, conn = self.idle.pop()
        conn.send((chapter.slug, out))
        self.busy[conn] = (proc, chapter, out)

    def wait_one(self) -> tuple[Chapter, Path, dict]:
        """Block until a worker reports; return its chapter, output and report (``error`` if it failed)."""
        sentinels = {proc.sentinel: conn for conn, (proc, _, _) in self.busy.items()}
        ready = multiprocessing.connection.wait([*self.busy, *sentinels])
        conn = ready[0] if ready[0] in self.busy else sentinels[ready[0]]
        proc, chapter, out = self.busy.pop(conn)
        try:
            report = conn.recv()
            self.idle.append((proc, conn))
        except EOFError:  # the worker died: it is not reused
            proc.join()
            report = {"error": f"chapter {chapter.slug!r} failed: its worker exited with code {proc.exitcode}"}
        return chapter, out, report

    def stop_all(self) -> None:
        """Stop every worker (a running chapter's kernel is shut down), then make sure they are gone."""
        procs = [proc for proc, _ in self.idle] + [proc for proc, _, _ in self.busy.values()]
        for conn in [*(c for _, c in self.idle), *self.busy]:
            conn.close()  # an idle worker ends at once
        for proc, _, _ in self.busy.values():
            proc.terminate()
        for proc in procs:
            proc.join(timeout=15)
            if proc.is_alive():
                proc.kill()
                proc.join()
        self.idle.clear()
        self.busy.clear()


def _plan(build_dir: Path, force: bool) -> tuple[dict[str, Path], list[Chapter]]:
    """The chapters whose cached execution is current (slug -> notebook), and those to execute."""
    cache = ChapterCache(build_dir / "cache")
    hits, todo = {}, []
    for c in chapters():
        hit = None if force else cache.lookup(c)
        if hit:
            hits[c.slug] = hit
        else:
            todo.append(c)
    return hits, todo


def committed_outputs(build_dir: Path) -> dict[str, Path]:
    """Every chapter as committed in ``book/`` (slug -> notebook), with its ``results.json``, executing nothing.

    The committed outputs are the chapters executed with their defaults (``make refresh``),
    and nbval checks that executing them again gives the same outputs.
    """
    from labecon_book.execute import results_json
    from labecon_core.record import results_from_notebook

    found = {}
    for c in chapters():
        folder = build_dir / "committed" / c.slug
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(c.path, folder / "executed.ipynb")
        results = results_from_notebook(nbformat.read(c.path, as_version=4))
        (folder / "results.json").write_text(results_json(c, c.defaults(), results))
        found[c.slug] = folder / "executed.ipynb"
    return found


def publish_cached(build_dir: Path, hits: dict[str, Path], log=print, label: str = "cached") -> dict[str, ChapterBuild]:
    """Put the chapters whose executed notebook is at hand (``hits``) among the executed chapters."""
    every = chapters()
    done = {}
    for c in every:
        if c.slug in hits:
            _publish(hits[c.slug], build_dir, c)
            done[c.slug] = ChapterBuild(c.slug, 0.0, True)
            log(f"[{len(done)}/{len(every)}] {c.slug:<24} {label}")
    return done


def longest_first(todo: list[Chapter], seconds: dict[str, float | None]) -> list[Chapter]:
    """The chapters by how long they took last time (``seconds``), longest first, never-timed ones first of all.

    Started in that order, no long chapter is left to run alone at the end; ties keep the book's order.
    """
    return sorted(todo, key=lambda c: -(seconds.get(c.slug) if seconds.get(c.slug) is not None else float("inf")))


def execute_all(build_dir: Path, jobs: int, todo: list[Chapter], kernels: KernelServer | None,
                on_started=lambda: None, on_executed=lambda chapter: None, log=print) -> dict[str, ChapterBuild]:
    """Execute chapters, cache and publish them; raise after all finish if any failed.

    Chapters start in :func:`longest_first` order of their last execution. ``on_started`` is
    called once the first chapters are running, ``on_executed`` with each chapter
    published. Chapters that succeed are cached even when another fails.
    """
    every = chapters()
    cache = ChapterCache(build_dir / "cache")
    done, failures = {}, []
    queue = longest_first(todo, {c.slug: cache.last_seconds(c) for c in todo})
    if not queue:
        return done
    import labecon_book.execute  # noqa: F401  (papermill: loaded once, before the workers fork)

    workers = _Workers(min(jobs, len(queue)), kernels.manager_class() if kernels else None)

    def dispatch():
        while queue and workers.idle:
            c = queue.pop(0)
            workers.start(c, build_dir / "cache" / c.slug / "running.ipynb")

    try:
        dispatch()
        on_started()
        while workers.busy:
            c, out, report = workers.wait_one()
            dispatch()  # before the bookkeeping below: the worker just freed starts at once
            n = len(every) - len(todo) + len(done) + len(failures) + 1
            if "error" in report:
                failures.append(report["error"])
                log(f"[{n}/{len(every)}] {c.slug:<24} FAILED")
                continue
            cached = cache.store(c, out, report["deps"], report["results"], report["seconds"])
            _publish(cached, build_dir, c)
            on_executed(c)
            done[c.slug] = ChapterBuild(c.slug, report["seconds"], False)
            log(f"[{n}/{len(every)}] {c.slug:<24} {report['seconds']:5.1f} s")
    finally:
        workers.stop_all()
    if failures:
        raise ChapterError("; ".join(failures))
    return done


def _publish(notebook: Path, build_dir: Path, chapter: Chapter) -> None:
    target = _executed(build_dir, chapter)
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


def _toc_entry(chapter: Chapter) -> str:
    return chapter.path.relative_to(ROOT).with_suffix("").as_posix()


def stage_chapter(stage: Path, build_dir: Path, chapter: Chapter) -> None:
    """Put an executed chapter in the Sphinx tree: its page (with the re-run box) and its downloads."""
    executed = _executed(build_dir, chapter)
    runs = stage / "book" / "_runs"
    runs.mkdir(exist_ok=True)
    shutil.copyfile(executed, runs / f"{chapter.slug}.ipynb")
    shutil.copyfile(executed.with_suffix(".results.json"), runs / f"{chapter.slug}.results.json")
    nb = nbformat.read(executed, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(rerun_markdown(chapter), id="labecon-rerun"))
    page = stage / f"{_toc_entry(chapter)}.ipynb"
    nbformat.write(nb, page.with_suffix(".tmp"))
    page.with_suffix(".tmp").replace(page)


def _stage(build_dir: Path, pending: list[Chapter] = ()) -> Path:
    """Assemble a Sphinx source tree from the sources and the executed chapters.

    The ``pending`` chapters, still executing, get their source notebook in their place
    for now (Sphinx must find every page when it starts); :func:`stage_chapter` puts
    each in when it is done.
    """
    stage = build_dir / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, stage / name)
    shutil.copytree(ROOT / "data" / "bib", stage / "data" / "bib")
    later = {c.slug for c in pending}
    for entry in toc_files():
        if (ROOT / f"{entry}.md").exists():
            shutil.copyfile(ROOT / f"{entry}.md", stage / f"{entry}.md")
    for c in chapters():
        if c.slug in later:
            shutil.copyfile(c.path, stage / f"{_toc_entry(c)}.ipynb")
        else:
            stage_chapter(stage, build_dir, c)
    from labecon_book.appendices import write_appendices  # loads the data stack: only when staging

    write_appendices(stage / "book")
    # Keyed on the vl-convert version, so one copy serves every build folder.
    write_vega_bundle(stage / "_static", ROOT / "_build" / "cache")
    write_mathjax(stage / "_static")
    write_reader_assets(stage / "_static")
    return stage


_RENDERERS = ("jupyter-book", "sphinx", "myst-nb", "sphinx-book-theme", "pydata-sphinx-theme", "sphinxcontrib-bibtex",
              "vl-convert-python", "django-static-mathjax")
_BOOK = Path(__file__).resolve().parent
_STAGING_CODE = (*(_BOOK / m for m in ("build.py", "sphinx_ext.py", "appendices.py", "assets.py", "chapters.py",
                                          "fallbacks.py", "figures.py", "specs.py", "chartdata.py", "describe.py",
                                          "rerun.py", "sources.py", "deps.py")),
                 *sorted((_BOOK / "static").iterdir()),
                 *(LIBRARY / m for m in ("data.py", "bib.py", "fmt.py", "portable.py")))


def _site_inputs(build_dir: Path) -> str:
    """Fingerprint of everything the site is made from, taken before staging anything.

    The executed chapters, the book's own pages and configuration, the data and
    bibliography (appendices, citations), the chapters' sources (the parameters
    appendix), the code that stages and renders, and the renderers' versions.
    """
    files = [ROOT / "_config.yml", ROOT / "_toc.yml", *sorted((ROOT / "book").glob("*.md")),
             *sorted((ROOT / "book").glob("*.ipynb")), *sorted(p for p in DATA.rglob("*") if p.is_file()),
             *sorted(p for p in (build_dir / "exec").rglob("*") if p.is_file()),
             *_STAGING_CODE]
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + b"\0" + _sha(path).encode())
    digest.update(";".join(f"{name}=={metadata.version(name)}" for name in _RENDERERS).encode())
    return digest.hexdigest()


def _site_files(site: Path) -> str:
    """Fingerprint of every file of a built site, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(path.relative_to(site).as_posix().encode() + b"\0" + _sha(path).encode())
    return digest.hexdigest()


def _executed(build_dir: Path, chapter: Chapter) -> Path:
    return build_dir / "exec" / f"{_toc_entry(chapter)}.ipynb"


class Renderer:
    """Jupyter Book in its own process (:mod:`labecon_book.render`), started while chapters still execute.

    Sphinx then loads, reads the pages that are ready and waits for each pending
    chapter's page in turn (:mod:`labecon_book.sphinx_ext`), so most of the rendering
    is done by the time the last chapter is. Its output goes to ``log``. Leaving the
    ``with`` block stops it if it still runs.
    """

    def __init__(self, log: Path):
        self.log = log
        self.proc: subprocess.Popen | None = None

    def submit(self, stage: Path, out: Path, pending: list[Chapter] = ()) -> None:
        """Start rendering the staged tree ``stage`` into ``out``; ``pending`` chapters are announced later."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"LABECON_ROOT": str(ROOT), PENDING_PAGES: ",".join(_toc_entry(c) for c in pending)}
        with self.log.open("w") as sink:
            self.proc = subprocess.Popen([sys.executable, "-m", "labecon_book.render"], stdin=subprocess.PIPE,
                                         stdout=sink, stderr=subprocess.STDOUT, text=True, env=env)
        argv = ["build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "-q"]
        self.proc.stdin.write(json.dumps(argv) + "\n")
        self.proc.stdin.flush()

    def announce(self, chapter: Chapter) -> None:
        """Tell Sphinx that a pending chapter's page is staged."""
        try:
            self.proc.stdin.write(_toc_entry(chapter) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # it failed already: wait() says why

    def wait(self) -> None:
        """Wait for the rendering; raise :class:`LabeconError` with the end of its output if it failed."""
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise LabeconError("jupyter-book build failed (the previous book is untouched):\n"
                               + self.log.read_text()[-4000:])

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            processes.stop(self.proc)


def render(build_dir: Path, renderer: Renderer, drawer: fallbacks.Drawer,
           staged: Path | None = None) -> tuple[Path, bool]:
    """Finish the site with Jupyter Book (warnings as errors) and swap it in.

    ``staged`` is a tree already being rendered (see :func:`build`); otherwise the
    tree is staged and rendered now. Returns the site and whether it was rebuilt:
    when nothing it is made from changed since the site in place was built, nothing
    is rendered (a rendering under way is dropped). The charts' static drawings
    (``drawer`` has them, or is given every chapter now) are made while Jupyter Book
    runs and put into the pages before the site is swapped in, and each chapter's figures
    get their data, sources, text alternatives and commands (:mod:`labecon_book.figures`).
    """
    stamp, final = build_dir / "html.sources.sha256", build_dir / "html"
    sources = _site_inputs(build_dir)
    # Current only if made from the same inputs and unchanged since: a file written into the site
    # by anything else makes the build render it again.
    if final.exists() and stamp.exists() and stamp.read_text() == f"{sources}\n{_site_files(final)}":
        return final, False
    out = build_dir / "stage-out"
    if staged is None:
        shutil.rmtree(out, ignore_errors=True)
        renderer.submit(_stage(build_dir), out)
        drawer.submit(_executed(build_dir, c) for c in chapters())
    drawer.finish()
    renderer.wait()
    site, old = out / "_build" / "html", build_dir / "html.old"
    for page in site.rglob("*.html"):
        text = page.read_text()
        if "labecon-chart" in text:
            page.write_text(fallbacks.add_static_fallbacks(text, cache=drawer.cache))
    from labecon_book.figures import decorate  # the data stack (the rounding rule): loaded only when rendering

    for c in chapters():
        page = site / f"{_toc_entry(c)}.html"
        text = page.read_text()
        page.write_text(decorate(text, _figures_context(site, build_dir, c, page, text)))
    shutil.rmtree(old, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    if final.exists():
        final.rename(old)
    site.rename(final)
    stamp.write_text(f"{sources}\n{_site_files(final)}")
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return final, True


def _figures_context(site: Path, build_dir: Path, chapter: Chapter, page: Path, text: str):
    """What the figures of a chapter's page in the site need (a :class:`labecon_book.figures.Context`): the run it
    shows, the tables it read and the works it cites, where its CSV files go."""
    from labecon_book.appendices import DATA_PAGE
    from labecon_book.figures import Context
    from labecon_book.sources import cited_in_page

    executed = _executed(build_dir, chapter)
    run = json.loads(executed.with_suffix(".results.json").read_text())
    appendix = (site / "book" / DATA_PAGE).with_suffix(".html")
    return Context(chapter, run["parameters"], tables_read(json.loads(executed.read_text()), executed),
                   cited_in_page(text), os.path.relpath(appendix, page.parent), page.parent / DATA_FOLDER, DATA_FOLDER)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def build(build_dir: Path | None = None, jobs: int | None = None, force: bool = False, log=print, *,
          execute: bool = True, warm_kernels: bool = True, early_sphinx: bool = True) -> Path:
    """Build the whole book into ``build_dir / 'html'``; return the site's folder.

    Parameters
    ----------
    build_dir : Path, optional
        Where executed chapters, the cache and the site go (default ``_build``).
    jobs : int, optional
        Chapters executed at once (default: the number of cores).
    force : bool
        Re-execute every chapter even if its cached result is current.
    execute : bool
        ``False`` builds the site from the outputs committed in ``book/`` (see
        :func:`committed_outputs`), executing no chapter.
    warm_kernels, early_sphinx : bool
        The build's two speed tricks: kernels forked from a warm server
        (:mod:`labecon_book.kernels`), and Sphinx reading pages while chapters still
        execute. ``make bench`` switches each off to measure what it saves.

    Bad data stops the build before any chapter executes. SIGTERM is handled like
    SIGINT: workers and their kernels are stopped, and ``_build/html`` is left as it was.
    """
    build_dir = claim(check_folder(build_dir or DEFAULT_BUILD, "build", "--build-dir"), "build")
    start = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        hits, todo = _plan(build_dir, force) if execute else (committed_outputs(build_dir), [])
        # Sphinx and the chart drawings run at low priority while chapters execute (see start_rendering).
        with (Renderer(build_dir / "jupyter-book.log") as renderer,
              fallbacks.Drawer(build_dir / "cache" / "svg") as drawer):
            # The kernel server warms up (imports the chapters' libraries) while the data are checked.
            with KernelServer() if todo and warm_kernels else contextlib.nullcontext() as kernels:
                validate_data(build_dir / "cache")
                log("executing chapters")
                done = publish_cached(build_dir, hits, log, "cached" if execute else "committed outputs")
                staged = None

                def start_rendering():
                    # Once the first chapters run: Sphinx reads the other pages meanwhile.
                    nonlocal staged
                    shutil.rmtree(build_dir / "stage-out", ignore_errors=True)
                    staged = _stage(build_dir, pending=todo)
                    renderer.submit(staged, build_dir / "stage-out", pending=todo)
                    drawer.submit(_executed(build_dir, c) for c in chapters() if c.slug in hits)

                def chapter_ready(chapter):
                    stage_chapter(staged, build_dir, chapter)
                    renderer.announce(chapter)
                    drawer.submit([_executed(build_dir, chapter)])

                done |= execute_all(build_dir, jobs or os.cpu_count() or 1, todo, kernels,
                                    *((start_rendering, chapter_ready) if early_sphinx else ()), log=log)
            built = [done[c.slug] for c in chapters()]
            t = time.perf_counter()
            site, rendered = render(build_dir, renderer, drawer, staged)
            render_s = time.perf_counter() - t
    finally:
        signal.signal(signal.SIGTERM, previous)
        for scratch in ("stage", "stage-out"):
            shutil.rmtree(build_dir / scratch, ignore_errors=True)
    log("\nsummary")
    for b in built:
        log(f"  {b.slug:<24} {('cached' if execute else 'committed') if b.cached else f'{b.seconds:6.1f} s'}")
    log(f"  {'jupyter-book':<24} {f'{render_s:6.1f} s' if rendered else 'site current'}")
    log(f"  {'total':<24} {time.perf_counter() - start:6.1f} s")
    log(f"\nthe book is at {site / 'index.html'}")
    return site

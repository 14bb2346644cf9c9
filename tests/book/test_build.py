"""The build: offline site, cache invalidation, faults that lose nothing, interruption, determinism.

Most tests build a small copy of the project (the cohort chapter) pointed to by
``LABECON_ROOT``, so they can break it on purpose; one builds the real book.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from mini_project import LABECON, add_broken_chapter, labecon, make_project

from labecon_book import build
from labecon_book.chapters import chapters
from labecon_core.paths import ROOT


def external_assets(html: str) -> list[str]:
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html)
    return [t for t in tags if re.search(r"""(?:src|href)=["'](?:https?:)?//""", t)
            and not re.search(r"""rel=["'](?:canonical|alternate)""", t)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("mini"))
    proc = labecon(root, "build")
    assert proc.returncode == 0, proc.stderr
    return root, proc


def test_mini_build_writes_site_and_summary(built):
    root, proc = built
    site = root / "_build" / "html"
    assert (site / "index.html").exists()
    assert (site / "book" / "cohort-accounting.html").exists()
    assert "cohort-accounting" in proc.stdout and "total" in proc.stdout and "the book is at" in proc.stdout
    source = (root / "book" / "cohort-accounting.ipynb").read_bytes()
    assert source == (ROOT / "book" / "cohort-accounting.ipynb").read_bytes(), "the build never writes over sources"


def test_no_kernel_and_no_sphinx_when_nothing_changed(built):
    root, _ = built
    proc = labecon(root, "build")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"cohort-accounting\s+cached", proc.stdout)
    assert "site current" in proc.stdout


def test_data_file_a_chapter_reads_re_executes_it(tmp_path):
    root = make_project(tmp_path / "p")
    assert labecon(root, "build").returncode == 0
    # A table the chapter does not read: still cached.
    (root / "data" / "unused.csv").write_text("x,source,date\n1,amodei2025cheekypint,2025\n")
    (root / "data" / "unused.schema.yml").write_text("description: t\ncolumns:\n  x: {type: float, description: x}\n")
    proc = labecon(root, "build")
    assert re.search(r"cohort-accounting\s+cached", proc.stdout), proc.stdout
    # The table it reads: re-executed.
    margins = root / "data" / "gross_margins.csv"
    margins.write_text(margins.read_text().replace("0.72,0.70", "0.75,0.70"))
    proc = labecon(root, "build")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"cohort-accounting\s+\d+\.\d s", proc.stdout), proc.stdout
    assert "75%" in (root / "_build" / "html" / "book" / "cohort-accounting.html").read_text()


def test_cache_follows_the_core_modules_a_chapter_imported(tmp_path, monkeypatch):
    """Touching an imported core module invalidates; touching another module does not."""
    package = tmp_path / "pkg"
    shutil.copytree(build.LIBRARY, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "LIBRARY", package)
    cache = build.ChapterCache(tmp_path / "cache")
    chapter = next(c for c in chapters() if c.slug == "cohort-accounting")
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}")
    (tmp_path / "results.json").write_text("{}")
    cache.store(chapter, notebook, {"modules": ["cohort.py", "fmt.py"], "tables": ["gross_margins"]}, "{}", 1.0)
    assert cache.lookup(chapter) is not None
    (package / "errors.py").write_text((package / "errors.py").read_text() + "\n# unrelated\n")
    assert cache.lookup(chapter) is not None
    (package / "cohort.py").write_text((package / "cohort.py").read_text() + "\n# changed\n")
    assert cache.lookup(chapter) is None


def test_failing_chapter_names_chapter_and_cell_and_keeps_the_rest(tmp_path):
    root = make_project(tmp_path / "p")
    assert labecon(root, "build").returncode == 0
    index = root / "_build" / "html" / "index.html"
    before = index.read_bytes()
    add_broken_chapter(root)
    proc = labecon(root, "build", "--force")
    assert proc.returncode != 0
    assert "chapter 'broken' failed in code cell 3: RuntimeError: boom in the middle" in proc.stderr
    assert index.read_bytes() == before, "the previous site is intact"
    assert (root / "_build" / "cache" / "cohort-accounting" / "entry.json").exists(), "other chapters stay cached"
    assert not (root / "_build" / "stage").exists()


def test_bad_data_stops_the_build_before_any_chapter(tmp_path):
    root = make_project(tmp_path / "p")
    margins = root / "data" / "gross_margins.csv"
    margins.write_text(margins.read_text().replace("0.72,0.70", "-0.72,0.70"))
    proc = labecon(root, "build")
    assert proc.returncode != 0
    assert "executing chapters" not in proc.stdout
    assert re.search(r"gross_margins.csv, row 1 \(line 2\), column value", proc.stderr), proc.stderr
    assert not (root / "_build" / "cache").exists()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_sigterm_leaves_no_half_site_and_no_kernels(built, tmp_path):
    root = make_project(tmp_path / "p")
    assert labecon(root, "build").returncode == 0
    index = root / "_build" / "html" / "index.html"
    before = index.read_bytes()
    env = os.environ | {"LABECON_ROOT": str(root)}
    proc = subprocess.Popen([*LABECON, "build", "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=root)
    kernels = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not kernels:
        # Kernels are forked by the build's kernel server; papermill sees them through their stand-ins.
        kernels = [p for p in _descendants(proc.pid) if "labecon_book.kernels connect" in " ".join(p.cmdline())]
        time.sleep(0.1)
    assert kernels, "a kernel was started"
    family = _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    _, alive = psutil.wait_procs(family, timeout=15)
    assert not alive, f"orphans: {[p.cmdline() for p in alive]}"
    assert index.read_bytes() == before
    assert not (root / "_build" / "stage").exists() and not (root / "_build" / "stage-out").exists()


def test_two_forced_builds_give_identical_files(built, tmp_path):
    """Every file of the site and of the executed chapters, byte for byte, in a second project folder."""
    first, _ = built
    second = make_project(tmp_path / "again")
    assert labecon(second, "build", "--force").returncode == 0

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    for part in ("html", "exec"):
        a, b = files(first / "_build" / part), files(second / "_build" / part)
        assert a.keys() == b.keys(), part
        differ = sorted(name for name in a if a[name] != b[name])
        assert not differ, f"{part}: {differ[:10]}"


def test_real_book_has_a_page_per_chapter_and_no_external_assets(real_book):
    assert (real_book / "index.html").exists()
    for c in chapters():
        assert (real_book / "book" / f"{c.slug}.html").exists(), c.slug
    offenders = {}
    for page in real_book.rglob("*.html"):
        found = external_assets(page.read_text())
        if found:
            offenders[str(page.relative_to(real_book))] = found[:3]
    assert not offenders, offenders


def test_every_chart_has_its_static_drawing(real_book):
    """Each chart on a page holds an SVG before any script runs; the downloadable notebooks stay without them."""
    for c in chapters():
        html = (real_book / "book" / f"{c.slug}.html").read_text()
        n = html.count('class="labecon-chart">')
        assert n > 0, c.slug
        assert html.count('class="labecon-chart"><svg') == n, c.slug
        downloads = list(real_book.rglob(f"{c.slug}.ipynb"))
        assert downloads and all("<svg" not in nb.read_text() for nb in downloads), c.slug


def test_results_json_of_every_chapter(real_book):
    exec_dir = real_book.parent / "exec" / "book"
    for c in chapters():
        doc = json.loads((exec_dir / f"{c.slug}.results.json").read_text())
        assert doc["chapter"] == c.slug
        assert doc["parameters"] == json.loads(json.dumps(c.defaults()))
        assert doc["results"], c.slug


def test_whole_book_builds_deterministically(real_book, tmp_path):
    """A second clean build of the whole book gives identical results.json files, chapter pages and chart data.

    (That executing a chapter gives the same outputs every time is what nbval checks.)
    """
    proc = subprocess.run([*LABECON, "build", "--no-execute", "--build-dir", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    charts = sorted(p.relative_to(real_book.parent).as_posix() for p in (real_book / "book" / "chart-data").iterdir())
    assert charts == sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "html/book/chart-data").iterdir())
    for c in chapters():
        for rel in (f"exec/book/{c.slug}.results.json", f"html/book/{c.slug}.html", *charts):
            first = (real_book.parent / rel).read_bytes()
            assert first == (tmp_path / rel).read_bytes(), rel


def test_longest_chapters_start_first_and_untimed_ones_before_them():
    every = chapters()
    seconds = {c.slug: float(i) for i, c in enumerate(every)}
    seconds[every[2].slug] = None
    order = [c.slug for c in build.longest_first(every, seconds)]
    assert order[0] == every[2].slug
    assert order[1:] == [c.slug for c in reversed(every) if c is not every[2]]
    ties = {c.slug: 1.0 for c in every}
    assert build.longest_first(every, ties) == every, "ties keep the book's order"


def test_the_last_execution_time_is_kept_even_when_stale(tmp_path):
    cache = build.ChapterCache(tmp_path / "cache")
    c = chapters()[0]
    assert cache.last_seconds(c) is None
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text("{}")
    (tmp_path / "results.json").write_text("{}")
    cache.store(c, notebook, {"modules": [], "tables": []}, "{}", 2.34)
    assert cache.last_seconds(c) == 2.3

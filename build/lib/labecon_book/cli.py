"""The ``labecon`` command: list chapters, show their parameters, re-run them, build the book."""

import argparse
import json
import sys
from pathlib import Path

from labecon_core.errors import LabeconError, shown

_EPILOG = """examples:
  labecon chapters
  labecon params cohort-accounting
  labecon run cohort-accounting -p cost_growth 5 --out /tmp/r
  labecon run cohort-accounting --scenario scenarios/cohort-plateau.yml
  labecon sweep cohort-accounting -p cost_growth 2:20:100 -p revenue_multiple 1:10:100 --out /tmp/s
  labecon build --jobs 2
  labecon pdf                              (the built book as _build/pdf/labecon.pdf)
  labecon --debug run cohort-accounting -p cost_growth 0   (a traceback with the error)
"""


def _show(value, width: int = 70) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 3] + "..."


def _cmd_chapters(args) -> None:
    from labecon_book.chapters import chapters

    for c in chapters():
        print(f"{c.slug:<24} {c.title}")


def _cmd_params(args) -> None:
    from labecon_book.chapters import chapter
    from labecon_book.params import FLOAT_LIMIT
    from labecon_core.validation import MAX_AMOUNT

    c = chapter(args.slug)
    print(f"parameters of {c.slug} ({c.title}); set them with -p NAME VALUE")
    print(f"numbers are finite and at most {FLOAT_LIMIT:g} in size; values are checked for results that stay finite "
          f"too (no amount beyond {MAX_AMOUNT:g}), and an error names what is allowed\n")
    width = max(len(p.name) for p in c.parameters) + 2
    print(f"{'name':<{width}} {'default':<14} {'type':<6} meaning")
    for p in c.parameters:
        print(f"{p.name:<{width}} {_show(p.default, 14):<14} {p.type.__name__:<6} {p.help}")


def _cmd_run(args) -> None:
    from labecon_book import params
    from labecon_book.chapters import chapter
    from labecon_book.datacheck import validate_data
    from labecon_book.kernels import KernelServer
    from labecon_book.outputs import DEFAULT_BUILD, check_folder, default_out_dir

    c = chapter(args.slug)
    # The kernel server imports the chapters' libraries while the input is checked; bad input stops it
    # before any kernel starts.
    with KernelServer() as kernels:
        values = params.resolve(c, args.param or (), args.scenario)
        out = check_folder(default_out_dir(c.slug) if args.out is None else args.out, "run", "--out")
        validate_data(DEFAULT_BUILD / "cache")
        # Imported after the checks: bad input is reported before anything heavy loads here.
        from labecon_book.run import run

        print(f"running {c.slug} into {out} ...", flush=True)
        result = run(c, values, out, kernels)
    print(f"\n{'result':<32} value")
    for name, value in result.results.items():
        print(f"{name:<32} {_show(value)}")
    print(f"\nwrote {out / (c.slug + '.ipynb')}, {out / (c.slug + '.html')}, {out / 'results.json'}"
          f" ({result.seconds:.1f} s)")


def _cmd_sweep(args) -> None:
    import pandas as pd

    from labecon_book import sweep
    from labecon_book.chapters import chapter
    from labecon_book.outputs import check_folder, claim, default_out_dir

    c = chapter(args.slug)
    values, axes = sweep.plan(c, args.param or (), args.scenario)
    out = check_folder(default_out_dir(c.slug, "sweep") if args.out is None else args.out, "sweep", "--out")
    result = sweep.run_sweep(c, values, axes)
    path = sweep.write(result, claim(out, "sweep"))
    grid = " x ".join(f"{a.name} {a.low:g}..{a.high:g} ({a.n})" for a in axes)
    print(f"swept {c.slug} over {grid}: {len(result.table):,} points in {result.seconds:.3f} s "
          f"({result.points_per_second:,.0f} points/s)\n")
    results = [col for col in result.table.columns if col not in values]
    print(f"{'result':<32} {'min':>14} {'median':>14} {'max':>14}")
    for name in results[:20]:
        column = pd.to_numeric(result.table[name], errors="coerce")
        print(f"{name:<32} " + " ".join(f"{v:>14.6g}" for v in (column.min(), column.median(), column.max())))
    if len(results) > 20:
        print(f"(and {len(results) - 20} more columns)")
    print(f"\nwrote {path} ({len(result.table):,} rows, {len(result.table.columns)} columns)")


def _cmd_build(args) -> None:
    from labecon_book.build import build

    build(Path(args.build_dir) if args.build_dir else None, jobs=args.jobs, force=args.force,
          execute=not args.no_execute)


def _cmd_pdf(args) -> None:
    from labecon_book.outputs import DEFAULT_BUILD, check_folder
    from labecon_book.pdf import write_pdf

    build_dir = check_folder(args.build_dir or DEFAULT_BUILD, "build", "--build-dir")
    print(f"wrote {write_pdf(build_dir)}")


def _cmd_refresh(args) -> None:
    from labecon_book.refresh import refresh

    refresh(args.slugs)


def _join_param_pairs(argv: list[str]) -> list[str]:
    """Rewrite ``-p NAME VALUE`` as ``--param=NAME=VALUE``: argparse would read a value such as
    ``-1e8`` as an option, so the pair is taken verbatim before it parses anything."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in ("-p", "--param") and i + 2 < len(argv):
            out.append(f"--param={argv[i + 1]}={argv[i + 2]}")
            i += 3
        else:
            out.append(argv[i])
            i += 1
    return out


def _name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME VALUE, got {shown(text)}")
    return name, value


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {shown(text)}")
    return number


def _bounded(message: str, lines: int = 12, width: int = 240) -> str:
    """An error message cut to a few lines of bounded length (the rest is said to be left out)."""
    kept = [line if len(line) <= width else line[: width - 1] + "…" for line in message.splitlines()[:lines]]
    more = len(message.splitlines()) - lines
    return "\n".join(kept) + (f"\n(and {more} more lines)" if more > 0 else "")


def main(argv=None) -> int:
    """Entry point of the ``labecon`` command; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="labecon", description="Re-run and build the labecon book.", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chapters", help="list the chapters (slug and title)").set_defaults(func=_cmd_chapters)
    p = sub.add_parser("params", help="show a chapter's parameters")
    p.add_argument("slug")
    p.set_defaults(func=_cmd_params)
    for name, func, about, metavar, param_help in (
        ("run", _cmd_run, "execute a chapter with other parameters", "NAME VALUE",
         "set a parameter (repeatable); overrides the scenario file"),
        ("sweep", _cmd_sweep, "a chapter's headline results over a grid of parameters, as one CSV", "NAME LOW:HIGH:N",
         "sweep a parameter over N values from LOW to HIGH, or set it to one VALUE (repeatable)"),
    ):
        p = sub.add_parser(name, help=about)
        p.add_argument("slug")
        p.add_argument("-p", "--param", type=_name_value, action="append", metavar=metavar, help=param_help)
        p.add_argument("--scenario", type=Path, help="a scenario YAML file (chapter: SLUG, parameters: {...})")
        p.add_argument("--out", help=f"output folder (default: _build/{name}s/SLUG)")
        p.set_defaults(func=func)
    p = sub.add_parser("build", help="execute every chapter and build the book into _build/html")
    p.add_argument("--jobs", type=_positive, default=None, help="chapters executed at once (default: cores)")
    p.add_argument("--force", action="store_true", help="ignore the cache and re-execute every chapter")
    p.add_argument("--build-dir", help="folder for the cache, executed chapters and the site (default: _build)")
    p.add_argument("--no-execute", action="store_true",
                   help="build the site from the outputs committed in book/ (what nbval checks), executing nothing")
    p.set_defaults(func=_cmd_build)
    p = sub.add_parser("pdf", help="print the built book to <build folder>/pdf/labecon.pdf (Chromium, offline)")
    p.add_argument("--build-dir", help="folder of the built book (default: _build)")
    p.set_defaults(func=_cmd_pdf)
    p = sub.add_parser("refresh", help="re-execute chapters in book/ with their defaults (updates committed outputs)")
    p.add_argument("slugs", nargs="*", help="chapters to refresh (default: all)")
    p.set_defaults(func=_cmd_refresh)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    args = parser.parse_args(_join_param_pairs(list(sys.argv[1:] if argv is None else argv)))
    # The one place every error is reported: bad input as one bounded message and exit code 2, a fault
    # of labecon itself as one line and exit code 1; a traceback only with --debug.
    try:
        args.func(args)
    except LabeconError as exc:
        if args.debug:
            raise
        print(f"error: {_bounded(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader piped the output into `head`: not an error.
        sys.stderr.close()
        return 0
    except Exception as exc:
        if args.debug:
            raise
        print(f"error: labecon failed ({type(exc).__name__}: {_bounded(str(exc), 1, 160)}); "
              "rerun with --debug for the traceback", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

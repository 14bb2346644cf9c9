"""Where the project's files are: its top folder and the data tables in it."""

import os
from pathlib import Path

#: The project's top folder (``_toc.yml``, ``book/``, ``data/``); ``LABECON_ROOT`` points elsewhere
#: (the tests build copies of the project).
ROOT = Path(os.environ.get("LABECON_ROOT") or Path(__file__).resolve().parents[1]).resolve()
#: The data tables (``*.csv`` with ``*.schema.yml``) and the bibliography (``bib/*.bib``).
DATA = ROOT / "data"

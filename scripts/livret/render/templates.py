"""The Jinja environment for our own templates (booklet pages and the PDF).

Autoescape on and undefined names as errors: a value from a dossier is always data,
and a typo in a template fails the build instead of printing nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2


@functools.cache
def environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

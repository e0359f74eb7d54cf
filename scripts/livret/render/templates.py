"""The Jinja environment for our own templates (booklet pages and the PDF).

Autoescape on and undefined names as errors: a value from a dossier is always data,
and a typo in a template fails the build instead of printing nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from livret.render.typography import lower_first, upper_first


@functools.cache
def environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # French capitals: Jinja's `capitalize` and `lower` would also change « CPF ».
    env.filters["minuscule"] = lower_first
    env.filters["majuscule"] = upper_first
    return env

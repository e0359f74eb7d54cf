"""`livret fusionner`: put the output folders of a sharded build together (CI's last step).

A French verb like `suivi` or `emargement`, not `merge`: it would read as `git merge`,
which it has nothing to do with, in a workflow file that also runs git.
"""

from __future__ import annotations

from pathlib import Path

import click

from livret.cli.base import LivretCommand, pass_project
from livret.project import Project
from livret.publish.merge import merge_shards


@click.command("fusionner", cls=LivretCommand)
@click.argument(
    "tranches",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path),
    metavar="TRANCHE...",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="CHEMIN",
    help="Dossier de publication fusionné, remplacé en entier (par défaut : site/).",
)
@pass_project
def fusionner(project: Project, tranches: tuple[Path, ...], out: Path | None) -> None:
    """Fusionne les dossiers de sortie de livret build --shard K/N en un seul."""
    merged = merge_shards(project, list(tranches), out or project.default_out)
    counts = ", ".join(str(n) for n in merged.per_shard)
    total = len(merged.booklets)
    click.echo(
        f"{total} livret{'s' if total > 1 else ''} fusionné{'s' if total > 1 else ''} dans "
        f"{out.as_posix() if out else 'site'}/ (par tranche : {counts})."
    )

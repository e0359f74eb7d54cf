"""The `livret` command: parse options, call one library function, map errors to exit codes.

One module per command (`check`, `new`, `build`, `serve`, `access`, `emargement`, `fiche`,
`suivi`, `retention`, `purge`, `schema`, `doctor`, `cle`, `equipe`), the terminal output
of a build in `output.py`,
click's words in French in `clifr.py`. Only `build` and `serve` (MkDocs, WeasyPrint),
`emargement` and `fiche` (WeasyPrint) need the heavy machinery, and import it when they run:
`livret check` stays fast and never loads it.
"""

from __future__ import annotations

from pathlib import Path

import click

from livret import __version__
from livret.cli import (
    access,
    build,
    check,
    cle,
    doctor,
    emargement,
    equipe,
    fiche,
    fusionner,
    new,
    purge,
    retention,
    schema,
    serve,
    suivi,
)
from livret.cli.base import LivretGroup
from livret.project import find_project


@click.group(
    cls=LivretGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[OPTIONS]",
    subcommand_metavar="COMMANDE [ARGUMENTS]...",
)
@click.version_option(__version__, "--version", message="livret %(version)s")
@click.option(
    "-C",
    "racine",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="CHEMIN",
    help="Dépôt à utiliser (par défaut : le dossier courant ou un parent).",
)
@click.pass_context
def cli(ctx: click.Context, racine: Path | None) -> None:
    """livret : livrets privés et documents de synthèse des bilans de compétences."""
    if ctx.invoked_subcommand not in ("schema", "doctor"):  # doctor finds it, or not
        ctx.obj = find_project(racine)


cli.add_command(check.check)
cli.add_command(new.new)
cli.add_command(schema.schema)
cli.add_command(build.build)
cli.add_command(serve.serve)
cli.add_command(access.access)
cli.add_command(suivi.suivi)
cli.add_command(emargement.emargement)
cli.add_command(fiche.fiche)
cli.add_command(purge.purge_command)
cli.add_command(retention.retention_command)
cli.add_command(doctor.doctor)
cli.add_command(cle.cle)
cli.add_command(equipe.equipe)
cli.add_command(fusionner.fusionner)


def main() -> None:
    cli(prog_name="livret")

"""`livret fiche`: the fiches projet a beneficiary allowed to hand to third parties."""

from __future__ import annotations

import click

from livret.cli.base import STRICT, LivretCommand, pass_project, tell
from livret.cli.clifr import Choix
from livret.errors import display_path
from livret.project import Project

PARTIES = ("cep", "employeur", "financeur", "autre")


@click.command("fiche", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option(
    "--pour",
    "party",
    type=Choix(PARTIES),
    default=None,
    help="Un seul tiers (par défaut : chacun de ceux que nomme consentement.partage).",
)
@STRICT
@pass_project
def fiche(project: Project, slug: str, party: str | None, strict_mode: bool) -> None:
    """Écrit la fiche projet de chaque tiers que le consentement autorise."""
    # WeasyPrint loads only here: the other commands stay fast.
    from livret.pipeline.fiche import write_fiches

    notices: list[str] = []
    try:
        fiches = write_fiches(project, slug, party, strict_mode=strict_mode, notices=notices)
    finally:
        tell(notices)
    for warning in fiches.warnings:
        click.echo(str(warning), err=True)
    for path in fiches.withdrawn:
        click.echo(
            f"Fiche supprimée (le consentement ne couvre plus ce tiers) : "
            f"{display_path(path, project.root)}"
        )
    for path in fiches.written:
        click.echo(f"Fiche projet écrite : {display_path(path, project.root)}")
    click.echo(
        "Transmettez chaque fiche à son seul destinataire. Elle reste sur cet ordinateur : "
        "git l'ignore et elle n'est jamais publiée."
    )

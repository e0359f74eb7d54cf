"""`livret cle`: this machine's age public key, for colleagues to add to the team."""

from __future__ import annotations

import click

from livret.cli.base import LivretCommand, pass_project, tell
from livret.project import Project
from livret.protect.identity import load_identity


@click.command("cle", cls=LivretCommand)
@pass_project
def cle(project: Project) -> None:
    """Affiche la clé publique age de cette machine (et crée l'identité au besoin)."""
    notices: list[str] = []
    try:
        identity = load_identity(project.root, create=True, notices=notices)
    finally:
        tell(notices)
    assert identity is not None
    click.echo(identity.public)
    click.echo(
        f"Identité privée : {identity.origin} (ne la partagez jamais, ne la mettez pas dans "
        "le dépôt). Pour rejoindre l'équipe, donnez la clé ci-dessus à un collègue déjà "
        f"destinataire : livret equipe ajouter {identity.public} --nom <votre nom>",
        err=True,
    )

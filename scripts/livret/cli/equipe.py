"""`livret equipe`: the team store's recipients (init, ajouter, retirer, rechiffrer, renouveler)."""

from __future__ import annotations

import click

from livret.cli.base import LivretGroup, pass_project
from livret.project import Project
from livret.protect import team

_COMMIT = "Committez et poussez acces/ (git add acces && git commit) pour le partager."


@click.group("equipe", cls=LivretGroup)
def equipe() -> None:
    """Accès partagés entre consultants, chiffrés avec age dans acces/."""


def _files(files: list[str], done: str = "") -> str:
    """« 1 fichier d'accès rechiffré », « 2 fichiers d'accès rechiffrés »."""
    plural = "s" if len(files) > 1 else ""
    return f"{len(files)} fichier{plural} d'accès" + (f" {done}{plural}" if done else "")


@equipe.command("init")
@click.option("--nom", "name", metavar="NOM", help="Votre nom (par défaut : git user.name).")
@pass_project
def init(project: Project, name: str | None) -> None:
    """Passe le dépôt aux accès partagés, avec cette machine comme premier destinataire."""
    change = team.init_team(project, name)
    click.echo(
        f"Accès partagés activés : {_files(change.files)} dans acces/, chiffrés pour "
        f"« {change.name} » ({change.public}). Mêmes liens et mêmes phrases de passe qu'avant ; "
        "le fichier des accès en clair de cette machine est vidé."
    )
    click.echo(_COMMIT)


@equipe.command("ajouter")
@click.argument("key", metavar="CLE")
@click.option("--nom", "name", required=True, metavar="NOM", help="Le nom du collègue.")
@pass_project
def ajouter(project: Project, key: str, name: str) -> None:
    """Ajoute la clé d'un collègue et rechiffre tous les accès pour lui aussi."""
    change = team.add_recipient(project, key, name)
    click.echo(f"« {change.name} » ajouté ; {_files(change.files, 'rechiffré')}.")
    click.echo(_COMMIT)


@equipe.command("retirer")
@click.argument("name", metavar="NOM")
@pass_project
def retirer(project: Project, name: str) -> None:
    """Retire un collègue et rechiffre tous les accès sans sa clé."""
    change = team.remove_recipient(project, name)
    click.echo(f"« {change.name} » retiré ; {_files(change.files, 'rechiffré')} sans sa clé.")
    click.echo(
        f"Attention : « {change.name} » a pu lire ou noter les liens et les phrases de passe "
        "actuels, et l'historique git garde les anciens fichiers chiffrés pour sa clé. Pour "
        f"qu'ils ne servent plus à rien, renouvelez-les tous : {team.ROTATE_ALL}, puis "
        "livret build et envoyez les nouveaux accès (livret access DOSSIER)."
    )
    click.echo(_COMMIT)


@equipe.command("rechiffrer")
@click.option(
    "--authentifier",
    "authenticate",
    is_flag=True,
    help="Authentifie des accès écrits par une version de livret plus ancienne, après avoir "
    "vérifié dans git log qu'ils viennent de l'équipe.",
)
@pass_project
def rechiffrer(project: Project, authenticate: bool) -> None:
    """Rechiffre tous les accès pour la liste actuelle des destinataires."""
    change = team.reencrypt_all(project, authenticate=authenticate)
    click.echo(f"{_files(change.files, 'rechiffré')} pour tous les destinataires.")
    if authenticate:
        click.echo(
            "Accès authentifiés par la clé d'équipe (acces/_equipe.age). Empreinte à donner à "
            "l'intégration continue (variable LIVRET_EQUIPE) : voir livret doctor."
        )
    click.echo(_COMMIT)


@equipe.command("renouveler")
@pass_project
def renouveler(project: Project) -> None:
    """Donne à chaque livret un nouveau lien et une nouvelle phrase de passe."""
    slugs = team.rotate_all(project)
    click.echo(
        f"{len(slugs)} livret{'s' if len(slugs) > 1 else ''} : nouveaux liens et nouvelles "
        "phrases de passe ; les anciens liens ne fonctionnent plus. Lancez livret build, puis "
        "envoyez les nouveaux accès (livret access DOSSIER)."
    )
    click.echo(_COMMIT)

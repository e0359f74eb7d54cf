"""`livret access`: a booklet's link, passphrase and the two messages to send them."""

from __future__ import annotations

import json

import click

from livret.cli.base import LivretCommand, pass_project, tell
from livret.errors import LivretError
from livret.project import Project
from livret.protect.stores import Renewal
from livret.publish.handover import hand_over

_NO_ADDRESS = """\
Adresse publique non réglée : une fois le dossier site/ publié (voir « Publier site/ » dans
le README), écrivez son adresse https dans mkdocs.yml :
  extra:
    publication:
      adresse: https://livrets.example.org/
livret access affichera alors le lien complet et les deux messages à transmettre."""


def _boxed(title: str, text: str) -> None:
    click.echo(f"\n{title}")
    click.echo("-" * 60)
    click.echo(text)
    click.echo("-" * 60)


@click.command("access", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option(
    "--nouvelle-phrase",
    "new_passphrase",
    is_flag=True,
    help="Nouvelle phrase de passe, même lien (phrase perdue ou divulguée).",
)
@click.option(
    "--nouveau-lien",
    "new_link",
    is_flag=True,
    help="Nouveau lien et nouvelle phrase ; l'ancienne adresse dit que le livret a changé.",
)
@click.option("--rotate", is_flag=True, help="Ancien nom de --nouveau-lien (même effet).")
@click.option("--json", "as_json", is_flag=True, help="Affiche le résultat en JSON.")
@pass_project
def access(
    project: Project,
    slug: str,
    new_passphrase: bool,
    new_link: bool,
    rotate: bool,
    as_json: bool,
) -> None:
    """Affiche le lien et la phrase de passe d'un livret, et les messages à transmettre."""
    if new_passphrase and (new_link or rotate):
        raise LivretError(
            "--nouvelle-phrase garde le lien, --nouveau-lien le change : choisissez l'une "
            "des deux options"
        )
    renew = (
        Renewal.LINK
        if new_link or rotate
        else Renewal.PASSPHRASE
        if new_passphrase
        else Renewal.NONE
    )
    notices: list[str] = []
    try:
        handover = hand_over(project, slug, renew=renew, notices=notices)
    finally:
        tell(notices)
    if as_json:
        click.echo(json.dumps(handover.as_json(), ensure_ascii=False))
        return
    click.echo(f"Livret de {slug}")
    click.echo(f"  dossier publié : {handover.site}")
    if handover.link:
        click.echo(f"  lien : {handover.link}")
    click.echo(f"  phrase de passe : {handover.passphrase}")
    if renew is Renewal.LINK:
        moved = (
            f" ; l'ancienne adresse ({handover.former_site}) dit seulement que le livret a "
            "changé d'adresse"
            if handover.former_site
            else ""
        )
        click.echo(
            f"Nouveau lien et nouvelle phrase{moved}. Lancez « livret build {slug} » puis "
            "publiez avant de transmettre les messages."
        )
    elif renew is Renewal.PASSPHRASE:
        click.echo(
            "Nouvelle phrase de passe, même lien. L'ancienne phrase ouvre encore le livret "
            f"publié jusqu'à ce que vous lanciez « livret build {slug} » et publiiez."
        )
    elif not handover.built:
        click.echo(
            f"Ce livret n'est pas encore construit : lancez « livret build {slug} » avant de "
            "transmettre le lien."
        )
    if handover.message_link and handover.message_passphrase:
        _boxed("Message 1, par courriel : le lien (sans la phrase)", handover.message_link)
        _boxed(
            "Message 2, par SMS ou un autre canal que le courriel : la phrase (sans le lien)",
            handover.message_passphrase,
        )
    else:
        click.echo(_NO_ADDRESS)
    click.echo("Transmettez le lien et la phrase par deux canaux différents (courriel et SMS).")

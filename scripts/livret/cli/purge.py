"""`livret purge`: destroy a dossier, its booklets, its clear copies and its access.

The confirmation asks for the dossier's name to be typed, not for « o/N »: slugs look
alike (2026-durand-claire, 2026-durand-paul), the destruction cannot be undone, and a
reflex « o » would destroy the wrong one as readily as the right one. `--yes` is for
scripts, which name the slug already.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from livret.cli.base import LivretCommand, pass_project
from livret.errors import LivretError, display_path
from livret.lifecycle.purge import PurgePlan, purge
from livret.project import Project


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _describe(project: Project, plan: PurgePlan) -> list[str]:
    """What will be destroyed, for the consultant's own terminal (paths may name people)."""

    def shown(path: Path) -> str:
        return display_path(path, project.root)

    files = plan.dossier_files
    if plan.dossier.is_dir():
        lines = [f"  - {shown(plan.dossier)}/ ({files} fichier{'s' if files > 1 else ''})"]
    else:
        lines = [f"  - (le dossier {shown(plan.dossier)}/ a déjà été supprimé à la main)"]
    for folder in plan.booklets:
        lines.append(f"  - le livret publié {shown(folder)}/")
    if plan.leftovers:
        lines.append(f"  - {len(plan.leftovers)} reste(s) de construction interrompue")
    if plan.clear_copy:
        lines.append(f"  - la synthèse en clair {shown(plan.clear_copy)}")
    if plan.attendance:
        lines.append(f"  - la feuille d'émargement {shown(plan.attendance)}")
    if plan.access:
        lines.append("  - son accès : le lien du livret et sa phrase de passe")
    if plan.states:
        lines.append("  - ses traces de construction dans .livret/")
    return lines


def _retention(plan: PurgePlan) -> str:
    last = plan.retention_end
    if plan.end is None or last is None:
        return (
            "Fin du bilan inconnue (periode.fin absente ou illisible) : livret ne peut pas dire "
            "si la durée de conservation est écoulée."
        )
    text = (
        f"Fin du bilan : {_fr(plan.end)} ; conservation jusqu'au {_fr(last)} "
        f"({plan.years} ans, mkdocs.yml : extra.cadre.conservation_ans)."
    )
    if not plan.expired:
        text += (
            "\nAttention : la durée de conservation n'est pas écoulée ; ne détruisez ce "
            "dossier avant terme que pour une raison que vous pourrez justifier."
        )
    return text


def _ask(project: Project, plan: PurgePlan) -> bool:
    click.echo(f"Destruction définitive du dossier {plan.slug} :")
    for line in _describe(project, plan):
        click.echo(line)
    click.echo(_retention(plan))
    try:
        answer = click.prompt(
            f"Pour confirmer, tapez le nom du dossier ({plan.slug})",
            default="",
            show_default=False,
            prompt_suffix=" : ",
        )
    except click.Abort:  # end of input, Ctrl-C, Ctrl-D
        click.echo("")
        return False
    return str(answer).strip() == plan.slug


@click.command("purge", cls=LivretCommand)
@click.argument("slug", metavar="DOSSIER")
@click.option("--yes", "oui", is_flag=True, help="Détruit sans demander de confirmation.")
@pass_project
def purge_command(project: Project, slug: str, oui: bool) -> None:
    """Détruit un dossier, ses livrets publiés, ses copies en clair et son accès."""

    def confirm(plan: PurgePlan) -> bool:
        if oui:
            if plan.expired is False:
                click.echo(
                    f"Attention : {slug} est détruit avant la fin de sa durée de conservation.",
                    err=True,
                )
            return True
        return _ask(project, plan)

    done = purge(project, slug, confirm)
    if done is None:
        raise LivretError(f"destruction annulée : rien n'a été détruit ({slug} reste en place)")
    register = done.register.name
    click.echo(
        f"Dossier {slug} détruit. Ligne ajoutée au registre {register} "
        f"(référence {done.reference}, qui ne nomme personne)."
    )
    for line in after_purge(slug, done.reference, register):
        click.echo(line)


def after_purge(slug: str, reference: str, register: str) -> list[str]:
    """What livret cannot destroy itself, and how the consultant does it."""
    folder = f"dossiers/{slug}"
    return [
        "Ce qui reste à faire :",
        "  1. Enregistrez la destruction dans git (le message ne doit nommer personne) :",
        f"       git rm -r -q --cached --ignore-unmatch {folder}",
        f"       git add {register}",
        f'       git commit -m "Destruction {reference}"',
        "  2. L'historique git contient encore les fichiers de ce dossier, dans ce dépôt, dans",
        "     chaque clone et sur le serveur git. Pour les en retirer, dans un clone frais :",
        f"       git filter-repo --invert-paths --path {folder}/",
        "     puis poussez avec « git push --force --all » et faites recloner chaque copie",
        "     (voir le README, « Conservation et destruction des dossiers »).",
        "  3. Republiez le dossier de publication (site/…) sur votre hébergement : le livret",
        "     y reste tant que l'hébergement n'est pas synchronisé. Pensez aussi aux sauvegardes.",
        "  4. Les copies déjà téléchargées par le ou la bénéficiaire (PDF, pages enregistrées)",
        "     lui appartiennent : livret ne peut pas les effacer, et n'a pas à le faire.",
    ]

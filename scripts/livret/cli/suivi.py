"""`livret suivi`: the follow-up interviews due soon and the overdue ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import click

from livret.cli.base import LivretCommand, pass_project
from livret.cli.clifr import Plage
from livret.lifecycle.followup import Followup, followups
from livret.project import Project


def _when(entry: Followup) -> str:
    if entry.days < 0:
        late = -entry.days
        return f"en retard de {late} jour{'s' if late > 1 else ''}"
    if entry.days == 0:
        return "aujourd'hui"
    return f"dans {entry.days} jour{'s' if entry.days > 1 else ''}"


def _line(entry: Followup) -> str:
    return (
        f"  {entry.date.strftime('%d/%m/%Y')}  {entry.slug}  ({entry.consultant}, {_when(entry)})"
    )


@click.command("suivi", cls=LivretCommand)
@click.option(
    "--jours",
    type=Plage(0, 3660),
    default=30,
    show_default=True,
    help="Horizon : les entretiens prévus dans les N prochains jours.",
)
@click.option(
    "--date",
    "reference",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="AAAA-MM-JJ",
    help="Jour de référence (par défaut : aujourd'hui).",
)
@click.option("--json", "as_json", is_flag=True, help="Affiche le résultat en JSON.")
@pass_project
def suivi(project: Project, jours: int, reference: dt.datetime | None, as_json: bool) -> None:
    """Liste les entretiens de suivi à venir et ceux en retard."""
    today = reference.date() if reference else dt.date.today()
    found = followups(project, today, jours)
    if as_json:
        data = dataclasses.asdict(found)
        click.echo(json.dumps(data, ensure_ascii=False, default=str, indent=2))
        return
    if found.overdue:
        click.echo("Entretiens de suivi en retard :")
        for entry in found.overdue:
            click.echo(_line(entry))
    if found.due:
        click.echo(f"Entretiens de suivi dans les {jours} prochains jours :")
        for entry in found.due:
            click.echo(_line(entry))
    if not found.overdue and not found.due:
        click.echo(f"Aucun entretien de suivi en retard ni prévu dans les {jours} prochains jours.")
    if (found.overdue or found.due) and found.questionnaire_six_months:
        click.echo(f"Questionnaire à six mois à transmettre : {found.questionnaire_six_months}")
    if found.unplanned:
        click.echo(
            "Bilans terminés sans entretien de suivi prévu : "
            + ", ".join(found.unplanned)
            + " (ajoutez « suivi: » et sa « date: » dans bilan.yml)."
        )
    for slug in found.unreadable:
        click.echo(
            f"Attention : le dossier {slug} contient des erreurs, lancez « livret check {slug} ».",
            err=True,
        )

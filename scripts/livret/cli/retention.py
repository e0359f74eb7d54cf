"""`livret retention`: the dossiers past their retention period, and where the others stand."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from livret.cli.base import LivretCommand, pass_project
from livret.errors import LivretError
from livret.lifecycle.retention import Retention, retention
from livret.project import Project


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _day(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LivretError(
            f"--date {text} : date invalide ; écrivez-la AAAA-MM-JJ, par exemple 2029-11-19"
        ) from None


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count <= 1 else many}"


def as_json(report: Retention) -> dict[str, object]:
    return {
        "retention_years": report.years,
        "date": report.today.isoformat(),
        "expired": [
            {
                "slug": k.slug,
                "end": k.end.isoformat(),
                "retention_end": k.retention_end.isoformat(),
                "days_past": k.days_past,
            }
            for k in report.expired
        ],
        "within": [
            {"slug": k.slug, "end": k.end.isoformat(), "retention_end": k.retention_end.isoformat()}
            for k in report.kept
        ],
        "ongoing": report.ongoing,
        "unreadable": [str(p) for p in report.unreadable],
    }


@click.command("retention", cls=LivretCommand)
@click.option("--json", "as_json_flag", is_flag=True, help="Affiche le résultat en JSON.")
@click.option(
    "--date",
    "date_text",
    default=None,
    metavar="AAAA-MM-JJ",
    help="Compte à cette date plutôt qu'aujourd'hui (pour préparer une échéance).",
)
@pass_project
def retention_command(project: Project, as_json_flag: bool, date_text: str | None) -> None:
    """Liste les dossiers dont la durée de conservation est écoulée."""
    report = retention(project, _day(date_text))
    if as_json_flag:
        click.echo(json.dumps(as_json(report), ensure_ascii=False))
    else:
        _show(report)
    if report.unreadable:
        sys.exit(1)  # a dossier whose end is unknown may be overdue: never "all is well"


def _show(report: Retention) -> None:
    years = _plural(report.years, "an", "ans")
    click.echo(
        f"Durée de conservation : {years} après la fin du bilan "
        "(mkdocs.yml : extra.cadre.conservation_ans)."
    )
    if report.expired:
        count = len(report.expired)
        click.echo(
            f"{_plural(count, 'dossier a', 'dossiers ont')} dépassé la durée de conservation ; "
            "détruisez-les avec « livret purge DOSSIER » :"
        )
        width = max(len(k.slug) for k in report.expired)
        for k in report.expired:
            click.echo(
                f"  {k.slug:<{width}}  fin du bilan {_fr(k.end)}, conservation échue le "
                f"{_fr(k.retention_end)}, dépassée de {_plural(k.days_past, 'jour', 'jours')}"
            )
    else:
        click.echo("Aucun dossier n'a dépassé la durée de conservation.")
    kept = len(report.kept)
    if kept:
        first = report.kept[0]
        click.echo(
            f"{_plural(kept, 'dossier est', 'dossiers sont')} encore dans la durée de "
            f"conservation (prochaine échéance : {first.slug}, le {_fr(first.retention_end)})."
        )
    ongoing = len(report.ongoing)
    if ongoing:
        click.echo(
            f"{_plural(ongoing, 'dossier est', 'dossiers sont')} en cours (sans periode.fin) : "
            "la durée de conservation commencera à la fin du bilan."
        )
    if report.unreadable:
        click.echo(
            f"{_plural(len(report.unreadable), 'dossier dont', 'dossiers dont')} la fin ne peut "
            "être lue : corrigez-les, ils sont peut-être à détruire :",
            err=True,
        )
        for problem in report.unreadable:
            click.echo(str(problem), err=True)

"""Benchmark: livret against the hand-glued stack, on N synthetic dossiers, in one run.

Usage: python scripts/bench.py [--n 20] [--baseline 5] [--json FILE]
(`make bench` installs what it needs, mkdocs-with-pdf included, in .venv-bench.)

Prints, measured in this one run:
- the hand-glued baseline, per booklet: one subprocess `mkdocs build` with
  encryptcontent and mkdocs-with-pdf, plus the hooks that let mkdocs-with-pdf see the
  page text before it is encrypted (without them the PDF holds the password form);
- `livret build --all --force` with 1 job and with 2 jobs (cold);
- `livret build --all` again with nothing changed, then after touching one dossier;
- the PDF alone: livret's print template against mkdocs-with-pdf on the same content;
- peak memory (largest process) of each livret run, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "dossiers").iterdir() if p.is_dir())
BIN = Path(sys.executable).parent

# Two hook files: MkDocs takes one function per event name from each.
HOOK_CLEAR = """
# Lets mkdocs-with-pdf read each page before encryptcontent hides it.
import re
from mkdocs.plugins import event_priority

CLEAR = {}
ENCRYPTED = re.compile(r'<div id="mkdocs-encrypted-content"[^>]*>.*?</div>', re.S)

@event_priority(100)  # before encryptcontent encrypts the content
def on_page_content(html, page, **kwargs):
    CLEAR[page.file.src_uri] = html
    return html

@event_priority(10)  # before mkdocs-with-pdf records the page
def on_post_page(output, page, **kwargs):
    match = ENCRYPTED.search(output)
    if not match:
        return output
    clear = '<div class="banc-clair">' + CLEAR[page.file.src_uri] + "</div>"
    page.banc_swap = (match.group(0), clear)  # read back by hook_restore
    return output.replace(match.group(0), clear)
"""
HOOK_RESTORE = """
# After mkdocs-with-pdf: the published page is encrypted again.
from mkdocs.plugins import event_priority

@event_priority(-100)
def on_post_page(output, page, **kwargs):
    encrypted, clear = getattr(page, "banc_swap", (None, None))
    return output.replace(clear, encrypted) if encrypted else output
"""


def run(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Wall seconds of one subprocess; fails loudly."""
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def measured(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak memory (MiB, largest process) of a command and its workers."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"échec de {' '.join(command)} :\n{done.stderr[-3000:]}")
    out = done.stdout.split()
    return float(out[0]), int(out[1]) // 1024


def make_repo(base: Path, n: int) -> tuple[Path, list[str]]:
    repo = base / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", repo)
    for folder in ("content", "theme"):
        shutil.copytree(ROOT / folder, repo / folder)
    slugs = []
    for i in range(n):
        source = EXAMPLES[i % len(EXAMPLES)]
        slug = f"2027-banc-{i:04d}"
        shutil.copytree(source, repo / "dossiers" / slug)
        bilan = repo / "dossiers" / slug / "bilan.yml"
        text = bilan.read_text(encoding="utf-8")
        bilan.write_text(text.replace("  nom: ", f"  nom: Banc{i} ", 1), encoding="utf-8")
        slugs.append(slug)
    return repo, slugs


def baseline_project(base: Path, repo: Path, slug: str, passphrase: str) -> Path:
    """What a consultant gluing tools by hand would have: Markdown pages and one config."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from livret.dossier.load import load_dossier
    from livret.project import Project
    from livret.render.pages import render_pages
    from livret.render.view import build_view
    from livret.render.view_model import Downloads

    project = Project(repo)
    view = build_view(load_dossier(repo / "dossiers" / slug, repo), project.theme)
    pages = render_pages(project, view, Downloads(pdf=None))
    folder = base / f"glued-{slug}"
    docs = folder / "docs"
    docs.mkdir(parents=True)
    nav = []
    for page in pages:
        (docs / page.filename).write_text(f"# {page.title}\n\n{page.html}\n", encoding="utf-8")
        nav.append({page.title: page.filename})
    (folder / "hook_clear.py").write_text(HOOK_CLEAR, encoding="utf-8")
    (folder / "hook_restore.py").write_text(HOOK_RESTORE, encoding="utf-8")
    config = {
        "site_name": "Livret",
        "theme": {"name": "material", "language": "fr", "font": False},
        "use_directory_urls": False,
        "nav": nav,
        "hooks": ["hook_clear.py", "hook_restore.py"],
        "plugins": [
            "search",
            {"with-pdf": {"output_path": "../pdf/synthese.pdf"}},
            {
                "encryptcontent": {
                    "global_password": passphrase,
                    "kdf_pow": 6,
                    "cache_file": "",
                    "esm": False,
                }
            },
        ],
    }
    (folder / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return folder


def pdf_only(repo: Path, base: Path) -> dict[str, float]:
    """One example's PDF: livret's template against mkdocs-with-pdf, same content, medians of 3."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from livret.dossier.load import load_dossier
    from livret.dossier.provider import load_provider
    from livret.outputs.pdf import encrypt_pdf, print_synthese
    from livret.project import Project
    from livret.render.view import build_view

    project = Project(repo)
    provider = load_provider(project)
    slug = "2027-banc-0001"  # a copy of the finished bilan
    view = build_view(load_dossier(repo / "dossiers" / slug, repo), project.theme)
    print_synthese(project, provider, view)  # warm-up: fonts and imports
    ours = []
    for _ in range(3):
        started = time.perf_counter()
        encrypt_pdf(print_synthese(project, provider, view), "banc-essai-phrase")
        ours.append(time.perf_counter() - started)
    folder = baseline_project(base / "pdf-only", repo, slug, "banc-essai-phrase")
    config = json.loads((folder / "mkdocs.yml").read_text())
    with_pdf = {**config, "plugins": [{"with-pdf": {"output_path": "../pdf/synthese.pdf"}}]}
    without = {**config, "plugins": []}
    with_pdf.pop("hooks")
    without.pop("hooks")
    theirs = []
    for _ in range(3):
        (folder / "mkdocs.yml").write_text(json.dumps(with_pdf))
        full = run([str(BIN / "mkdocs"), "build", "-q"], cwd=folder)
        (folder / "mkdocs.yml").write_text(json.dumps(without))
        plain = run([str(BIN / "mkdocs"), "build", "-q"], cwd=folder)
        theirs.append(full - plain)
    return {"livret_pdf_s": statistics.median(ours), "with_pdf_s": statistics.median(theirs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="synthetic dossiers")
    parser.add_argument("--baseline", type=int, default=5, help="dossiers built the glued way")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="livret-banc-"))
    try:
        repo, slugs = make_repo(base, args.n)
        env = {**os.environ, "LIVRET_ACCESS": str(base / "acces.json")}
        livret = [str(BIN / "livret"), "-C", str(repo), "build", "--all"]

        one_s, one_mb = measured([*livret, "--force", "-j", "1"], env)
        two_s, two_mb = measured([*livret, "--force", "-j", "2"], env)
        same_s, same_mb = measured(livret, env)
        touched = repo / "dossiers" / slugs[0] / "synthese.yml"
        touched.write_text(touched.read_text(encoding="utf-8") + "\n# modifié\n", encoding="utf-8")
        touch_s, touch_mb = measured(livret, env)

        secrets = json.loads((base / "acces.json").read_text())["livrets"]
        glued = []
        for slug in slugs[: args.baseline]:
            folder = baseline_project(base, repo, slug, secrets[slug]["passphrase"])
            glued.append(run([str(BIN / "mkdocs"), "build", "-q"], cwd=folder))
            if not (folder / "pdf" / "synthese.pdf").is_file():
                raise SystemExit("le PDF de référence n'a pas été produit")
        pdf = pdf_only(repo, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    glued_each = statistics.median(glued)
    results = {
        "n": args.n,
        "cores": os.cpu_count(),
        "glued_per_booklet_s": round(glued_each, 3),
        "livret_1_job_s": round(one_s, 2),
        "livret_2_jobs_s": round(two_s, 2),
        "livret_per_booklet_2_jobs_s": round(two_s / args.n, 3),
        "unchanged_s": round(same_s, 2),
        "touch_one_s": round(touch_s, 2),
        "peak_mib": {"1_job": one_mb, "2_jobs": two_mb, "unchanged": same_mb, "touch": touch_mb},
        "ratio_glued_over_livret_2_jobs": round(glued_each / (two_s / args.n), 2),
        "ratio_unchanged_over_cold_2_jobs": round(same_s / two_s, 4),
        "ratio_1_job_over_2_jobs": round(one_s / two_s, 2),
        "pdf_livret_s": round(pdf["livret_pdf_s"], 3),
        "pdf_with_pdf_s": round(pdf["with_pdf_s"], 3),
        "ratio_pdf_livret_over_with_pdf": round(pdf["livret_pdf_s"] / pdf["with_pdf_s"], 2),
    }
    rows = [
        ("dossiers", f"{args.n}"),
        ("glued stack, per booklet (median)", f"{glued_each:.2f} s"),
        ("livret --force, 1 job", f"{one_s:.1f} s ({one_s / args.n:.2f} s/booklet)"),
        ("livret --force, 2 jobs", f"{two_s:.1f} s ({two_s / args.n:.2f} s/booklet)"),
        ("livret, nothing changed", f"{same_s:.2f} s"),
        ("livret, one dossier touched", f"{touch_s:.2f} s"),
        ("peak memory (largest process)", f"{max(one_mb, two_mb)} MiB"),
        ("glued / livret (2 jobs), per booklet", f"{results['ratio_glued_over_livret_2_jobs']}x"),
        ("unchanged / cold (2 jobs)", f"{100 * same_s / two_s:.1f} %"),
        ("1 job / 2 jobs", f"{results['ratio_1_job_over_2_jobs']}x"),
        ("PDF: livret template", f"{pdf['livret_pdf_s']:.2f} s"),
        ("PDF: mkdocs-with-pdf, same content", f"{pdf['with_pdf_s']:.2f} s"),
        ("PDF: livret / mkdocs-with-pdf", f"{results['ratio_pdf_livret_over_with_pdf']}x"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    print(json.dumps(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

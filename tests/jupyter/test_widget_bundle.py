"""The widget's ES module is built from the Lab's own files (issue 17; no anywidget needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from logitlab.widget import bundle

STATIC = Path(bundle.__file__).resolve().parents[1] / "lab" / "static"
IMPORT = re.compile(r'^import\s*(?:\{[^}]*\}\s*from\s*)?"\./([^"]+)"', re.MULTILINE)
# Page elements are found through the root main.js passes on (the document, or the widget's
# shadow root): a module asking `document` would not find the widget's elements, and a
# shadow root has no createElement / activeElement of the document's kind.
FORBIDDEN = re.compile(
    r"\bdocument\.(getElementById|querySelector|querySelectorAll|activeElement)\b"
    r"|\bdoc\.(createElement|activeElement|body)\b"
    # what the tests read goes through host.expose(perf): a widget has no window global
    r"|\bwindow\.logitlabPerf\b"
)


def imported_by_page(entry: str = "main.js") -> set[str]:
    """Every static module the served page loads, found by reading the files themselves."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += IMPORT.findall((STATIC / name).read_text(encoding="utf-8"))
    return seen


def test_every_module_the_page_imports_is_bundled() -> None:
    bundled = {m.name for m in bundle.module_graph()}
    missing = imported_by_page() - bundled
    assert missing == set(), f"imported by the page but not in the widget's bundle: {missing}"
    assert {"main.js", "connection.js", "host.js", "trainer.js", "data-chart.js"} <= bundled
    assert bundle.module_graph()[-1].name == "main.js"  # dependencies first, the entry last


def test_no_bundled_module_looks_up_page_elements_through_document() -> None:
    for module in bundle.module_graph():
        text = module.path.read_text(encoding="utf-8")
        found = FORBIDDEN.search(text)
        assert found is None, f"{module.path.name} uses {found.group(0)}: go through the root"


def test_the_widget_replaces_the_host_and_nothing_else() -> None:
    paths = {m.name: m.path for m in bundle.module_graph()}
    assert paths["host.js"].parent.name == "widget"
    assert all(p.parent == STATIC for name, p in paths.items() if name != "host.js")


def test_a_new_module_is_bundled_with_no_change_to_the_widget(tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    (static / "new-view.js").write_text(
        'import { formatNumber } from "./format.js";\n'
        "export class NewView {\n  update() { return formatNumber(1, 2); }\n}\n",
        encoding="utf-8",
    )
    main = static / "main.js"
    main.write_text(
        'import { NewView } from "./new-view.js";\n' + main.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    names = [m.name for m in bundle.module_graph(static)]
    assert "new-view.js" in names
    assert names.index("format.js") < names.index("new-view.js") < names.index("main.js")


def test_a_missing_module_is_named(tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    main = static / "main.js"
    main.write_text(
        'import { Gone } from "./gone.js";\n' + main.read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(bundle.BundleError, match=r"main\.js imports gone\.js, which is not in"):
        bundle.module_graph(static)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('import { a } from "https://cdn.example/x.js";\n', "nothing may come from"),
        ('import { a } from "lodash";\n', "relative imports"),
        ("export default 3;\n", "named exports only"),
        ('const m = await import("./format.js");\n', "static named imports only"),
        ('import a from "./format.js";\n', "static named imports only"),
        ('import { nope } from "./format.js";\n', "exports only formatNumber"),
    ],
)
def test_syntax_the_bundler_does_not_take_is_refused(
    tmp_path: Path, source: str, message: str
) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    (static / "odd.js").write_text(source, encoding="utf-8")
    (static / "main.js").write_text('import "./odd.js";\n', encoding="utf-8")
    with pytest.raises(bundle.BundleError, match=message):
        bundle.module_graph(static)


def test_modules_importing_in_a_circle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text('import { b } from "./b.js";\nexport const a = 1;\n')
    (tmp_path / "b.js").write_text('import { a } from "./main.js";\nexport const b = 2;\n')
    with pytest.raises(bundle.BundleError, match=r"circle: main\.js → b\.js → main\.js"):
        bundle.module_graph(tmp_path, replace={})


def test_imports_and_exports_become_the_modules_objects(tmp_path: Path) -> None:
    (tmp_path / "main.js").write_text(
        'import { twice as double, K } from "./lib.js"; // a comment stays\n'
        "export const out = double(K);\n"
    )
    (tmp_path / "lib.js").write_text(
        "function twice(v) {\n  return 2 * v;\n}\nconst K = 21;\nexport { twice, K };\n"
    )
    text = bundle.bundle(bundle.module_graph(tmp_path, replace={}))
    assert 'const { twice: double, K } = modules["lib.js"];' in text
    assert "return Object.freeze({ twice, K });" in text
    assert "// a comment stays" in text
    assert "export" not in text
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run the bundle")
    script = tmp_path / "run.mjs"  # run the modules; the entry prints what it computed
    entry_end = "  return Object.freeze({ out });"
    script.write_text(
        text.replace(entry_end, f"  console.log(out);\n{entry_end}") + "\nawait startLab({});\n"
    )
    result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "42", result.stderr


def test_the_widget_module_is_valid_javascript(tmp_path: Path) -> None:
    esm = bundle.widget_esm()
    assert "export default { render }" in esm
    assert "http://" not in esm.replace("http://www.w3.org", "")  # no CDN, no server
    assert "https://" not in esm
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot check the module's syntax")
    path = tmp_path / "widget.mjs"
    path.write_text(esm, encoding="utf-8")
    result = subprocess.run(
        [node, "--check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_the_markup_is_the_served_pages() -> None:
    markup = bundle.widget_markup()
    page = (STATIC.parent / "pages" / "lab.html").read_text(encoding="utf-8")
    for needle in ('id="data-chart"', 'id="train-100"', 'data-stat="steps"', 'id="tau"'):
        assert needle in markup
    assert "<main" not in markup and "<!-- part:" not in markup and "top-nav" not in markup
    assert '<section class="panel stats-panel" aria-label="Stats">' in page
    assert '<section class="panel stats-panel" aria-label="Stats">' in markup


def test_the_css_is_scoped_to_the_widget() -> None:
    css = bundle.widget_css()
    assert ":root" not in css and not re.search(r"^body\s*\{", css, re.MULTILINE)
    assert ":host {" in css
    assert "@container lab (max-width: 720px)" in css
    assert "@media (max-width" not in css and "@media (min-width" not in css
    assert "@media (hover: none), (pointer: coarse)" in css  # not a width: stays a media query

"""The Jupyter widget's ES module, built from the Lab's own files (no anywidget needed here).

The served Lab loads ``lab/static/main.js`` and the modules it imports one by one. A
widget's front end takes *one* ES module (anywidget's ``_esm``), so this module follows
``main.js``'s imports (transitively, by parsing them: a module added later is bundled with
no change here) and writes each module as a function in one file:

- every module runs once per widget view, inside ``startLab(LAB_ENV)``, in import order,
  so two views of a notebook never share state;
- ``import { a, b as c } from "./x.js"`` becomes ``const { a, b: c } = modules["./x.js"]``
  and ``export`` declarations become the module's returned object;
- ``lab/static/host.js`` (the document and a WebSocket) is replaced by ``widget/host.js``
  (the widget's shadow root and its comm), the one seam between the two hosts.

The Lab's markup (``pages/lab.html`` with its parts, as the server builds it) and its CSS
(``lab.css`` and ``csv.css``, scoped to the widget: ``:root`` → ``:host``, width media
queries → container queries on the widget's own width) go in as string constants. Nothing
is fetched at run time: every name the bundle uses is defined inside it.

Only the module syntax the Lab uses is understood (named imports and exports at the start
of a line); anything else (default exports, ``export * from``, dynamic ``import()``, bare or
remote specifiers) raises :class:`BundleError` saying what was found and what is allowed.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

__all__ = [
    "ENTRY",
    "HOST",
    "BundleError",
    "Module",
    "bundle",
    "module_graph",
    "widget_css",
    "widget_esm",
    "widget_markup",
]

ENTRY = "main.js"
"""The served page's entry module, in ``lab/static``."""
HOST = "host.js"
"""The module the widget replaces by ``widget/host.js``."""

_IMPORT = re.compile(
    r'^import\s*(?:(?P<names>\{[^}]*\})\s*from\s*)?"(?P<spec>[^"]*)"\s*;?(?P<tail>[^\n]*)$',
    re.MULTILINE,
)
_ANY_IMPORT = re.compile(r"^\s*import\b(?!\s*\()|\bimport\s*\(|\bimport\.meta\b", re.MULTILINE)
_EXPORT_DECL = re.compile(
    r"^export\s+(?P<kind>async\s+function\*?|function\*?|class|const|let|var)\s+"
    r"(?P<name>[A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
_EXPORT_LIST = re.compile(r"^export\s*\{(?P<names>[^}]*)\}\s*;?[^\n]*$", re.MULTILINE)
_ANY_EXPORT = re.compile(r"^\s*export\b", re.MULTILINE)
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")


class BundleError(ValueError):
    """A static module uses syntax or a specifier the widget's bundler does not take."""


@dataclass
class Module:
    """One ES module of the bundle.

    Attributes
    ----------
    name : str
        Its path under ``lab/static`` ("main.js", "connection.js").
    path : Path
        The file read (``widget/host.js`` for :data:`HOST`).
    imports : list of str
        The modules it imports (names under ``lab/static``), in order.
    exports : dict of str to str
        Exported name → local name.
    body : str
        The source without its import statements and ``export`` keywords.
    bindings : list of tuple (str, str, str)
        (module, imported name, local name) for each imported binding.
    """

    name: str
    path: Path
    imports: list[str] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)
    body: str = ""
    bindings: list[tuple[str, str, str]] = field(default_factory=list)


def _static_dir() -> Path:
    return Path(str(files("logitlab.lab").joinpath("static")))


def _pages_dir() -> Path:
    return Path(str(files("logitlab.lab").joinpath("pages")))


def _widget_file(name: str) -> Path:
    return Path(str(files("logitlab.widget").joinpath(name)))


def _line(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def _resolve(importer: str, spec: str) -> str:
    if not spec.startswith("./") and not spec.startswith("../"):
        raise BundleError(
            f"{importer} imports {spec!r}: the widget bundles only relative imports of the "
            'Lab\'s own files ("./name.js"); nothing may come from a package, a URL or a CDN'
        )
    if not spec.endswith(".js"):
        raise BundleError(f"{importer} imports {spec!r}: name the file with its .js ending")
    name = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    if name.startswith("../"):
        raise BundleError(f"{importer} imports {spec!r}, which is outside lab/static")
    return name


def _bindings(names: str, importer: str, spec: str) -> list[tuple[str, str]]:
    out = []
    for part in names.strip().strip("{}").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) == 1:
            imported = local = words[0]
        elif len(words) == 3 and words[1] == "as":
            imported, local = words[0], words[2]
        else:
            raise BundleError(f"{importer}: cannot read the import {part.strip()!r} from {spec}")
        if not (_IDENT.match(imported) and _IDENT.match(local)):
            raise BundleError(f"{importer}: cannot read the import {part.strip()!r} from {spec}")
        out.append((imported, local))
    return out


def parse_module(name: str, path: Path) -> Module:
    """Read one module: its imports, exports and body (see the module docstring).

    Raises
    ------
    BundleError
        On module syntax the bundler does not take, naming the file and line.
    """
    source = path.read_text(encoding="utf-8")
    module = Module(name=name, path=path)
    consts: list[str] = []

    def take_import(match: re.Match[str]) -> str:
        target = _resolve(name, match.group("spec"))
        module.imports.append(target)
        names = match.group("names")
        if names is None:
            return match.group("tail")  # a side-effect import: only its order matters
        pairs = _bindings(names, name, match.group("spec"))
        module.bindings.extend((target, imported, local) for imported, local in pairs)
        inner = ", ".join(i if i == local else f"{i}: {local}" for i, local in pairs)
        consts.append(f"const {{ {inner} }} = modules[{json.dumps(target)}];")
        return match.group("tail")

    body = _IMPORT.sub(take_import, source)
    _refuse_left(
        _ANY_IMPORT, body, name, 'static named imports only: import { a, b } from "./file.js";'
    )

    def take_decl(match: re.Match[str]) -> str:
        module.exports[match.group("name")] = match.group("name")
        return f"{match.group('kind')} {match.group('name')}"

    def take_list(match: re.Match[str]) -> str:
        for local, exported in _bindings(match.group("names"), name, "its export list"):
            module.exports[exported] = local
        return ""

    body = _EXPORT_DECL.sub(take_decl, body)
    body = _EXPORT_LIST.sub(take_list, body)
    _refuse_left(
        _ANY_EXPORT,
        body,
        name,
        "named exports only: export function/class/const NAME, or export { a, b }",
    )
    module.body = "\n".join([*consts, body])
    return module


def module_graph(
    static_dir: Path | None = None,
    entry: str = ENTRY,
    replace: dict[str, Path] | None = None,
) -> list[Module]:
    """Every module ``entry`` imports, directly or not, dependencies first.

    Parameters
    ----------
    static_dir : Path or None
        Where the modules are; None = the package's ``lab/static``.
    entry : str
        The first module.
    replace : dict of str to Path or None
        Modules read from another file; None = ``{HOST: widget/host.js}``.

    Raises
    ------
    BundleError
        A module is missing, imports in a circle, or uses syntax the bundler does not take.
    """
    folder = static_dir if static_dir is not None else _static_dir()
    swaps = replace if replace is not None else {HOST: _widget_file("host.js")}
    order: list[Module] = []
    done: set[str] = set()
    path_of: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in path_of:
            cycle = " → ".join([*path_of[path_of.index(name) :], name])
            raise BundleError(f"the Lab's modules import each other in a circle: {cycle}")
        file = swaps.get(name, folder / name)
        if not file.is_file():
            importer = path_of[-1] if path_of else "the bundle"
            raise BundleError(f"{importer} imports {name}, which is not in {folder}")
        path_of.append(name)
        module = parse_module(name, file)
        for target in module.imports:
            visit(target)
        for target, imported, _ in module.bindings:
            exported = next(m.exports for m in order if m.name == target)
            if imported not in exported:
                raise BundleError(
                    f"{name} imports {imported} from {target}, which exports only "
                    f"{', '.join(sorted(exported)) or 'nothing'}"
                )
        path_of.pop()
        done.add(name)
        order.append(module)

    visit(entry)
    return order


def bundle(modules: list[Module]) -> str:
    """``async function startLab(LAB_ENV)`` running ``modules`` in order (the last is the entry)."""
    parts = ["async function startLab(LAB_ENV) {", "  const modules = Object.create(null);"]
    for module in modules:
        exports = ", ".join(
            exported if exported == local else f"{exported}: {local}"
            for exported, local in module.exports.items()
        )
        parts += [
            f"  // ---- lab/static/{module.name}"
            + ("" if module.path.parent == _static_dir() else f" (from {module.path.name})"),
            f"  modules[{json.dumps(module.name)}] = await (async () => {{",
            module.body,
            f"  return Object.freeze({{ {exports} }});",
            "  })();",
        ]
    parts.append("}")
    return "\n".join(parts)


_PARTS = re.compile(r"<!--\s*part:([a-z0-9-]+)\s*-->")


def widget_markup(pages_dir: Path | None = None) -> str:
    """The Lab page's markup for the widget: its header (without the page links), its
    ``<main>`` (as a ``div``) and its notices, exactly as the server builds them."""
    from logitlab.lab.server import include_parts

    folder = pages_dir if pages_dir is not None else _pages_dir()
    page = include_parts((folder / "lab.html").read_text(encoding="utf-8"), folder)
    header = re.search(r'<header class="top">.*?</header>', page, re.DOTALL)
    main = re.search(r'<main class="lab">.*</main>', page, re.DOTALL)
    toasts = re.search(r'<div class="toasts">.*?</div>\s*</div>', page, re.DOTALL)
    if header is None or main is None or toasts is None:
        raise BundleError(
            'pages/lab.html no longer has the header, <main class="lab"> and the toasts '
            "the widget shows"
        )
    top = re.sub(r'\s*<nav class="top-nav".*?</nav>', "", header.group(0), flags=re.DOTALL)
    body = main.group(0).replace('<main class="lab">', '<div class="lab">', 1)
    body = body[: -len("</main>")] + "</div>"
    if "<!-- slot:" in body or _PARTS.search(body):
        raise BundleError("the Lab's <main> holds a slot or part the widget cannot fill")
    return f"{top}\n{body}\n{toasts.group(0)}"


_MEDIA = re.compile(r"@media\s+([^{]+)\{")
_WIDTH_ONLY = re.compile(
    r"^\s*\((?:min|max)-width:[^)]*\)(?:\s+and\s+\((?:min|max)-width:[^)]*\))*\s*$"
)


def widget_css(static_dir: Path | None = None) -> str:
    """``lab.css`` + ``csv.css`` scoped to the widget's shadow root, then its own few rules.

    ``:root`` becomes ``:host`` (the colours and font apply inside the widget only),
    ``body`` the widget's root element, and media queries on the width become container
    queries on the widget's width (a notebook's output is narrower than the window).
    """
    folder = static_dir if static_dir is not None else _static_dir()
    css = "\n".join((folder / name).read_text(encoding="utf-8") for name in ("lab.css", "csv.css"))
    css = re.sub(r"^:root\s*\{", ":host {", css, flags=re.MULTILINE)
    css = re.sub(r"^body\s*\{", ".logitlab-root {", css, flags=re.MULTILINE)

    def scope(match: re.Match[str]) -> str:
        query = match.group(1)
        return f"@container lab {query}{{" if _WIDTH_ONLY.match(query) else match.group(0)

    css = _MEDIA.sub(scope, css)
    own = _widget_file("widget.css").read_text(encoding="utf-8")
    return f"{css}\n{own}"


@functools.cache
def widget_esm() -> str:
    """The widget's whole ES module: markup, CSS, the bundled Lab and ``widget/render.js``."""
    render = _widget_file("render.js").read_text(encoding="utf-8")
    return "\n".join(
        [
            "// logitlab Lab for Jupyter: generated by logitlab.widget.bundle from lab/static",
            "// and lab/pages (do not edit; change those files).",
            f"const LAB_MARKUP = {json.dumps(widget_markup())};",
            f"const LAB_CSS = {json.dumps(widget_css())};",
            bundle(module_graph()),
            render,
        ]
    )


def _refuse_left(pattern: re.Pattern[str], body: str, name: str, allowed: str) -> None:
    """Raise BundleError naming the first line of ``body`` that ``pattern`` still finds
    (an import or export form the bundler did not rewrite) and what the widget takes."""
    left = pattern.search(body)
    if left is not None:
        line = body[left.start() : body.find("\n", left.start())].strip()
        raise BundleError(
            f"{name} line {_line(body, left.start())}: {line!r} is not bundled; the widget "
            f"takes {allowed}"
        )

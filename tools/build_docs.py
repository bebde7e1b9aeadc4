"""`make docs` where Quarto is missing: nbdev's own processing of the notebooks, rendered to static HTML by nbconvert.

The notebooks go through `nbdev.serve.proc_nbs`, exactly as `nbdev_docs` feeds them to Quarto: directives applied,
hidden cells removed, `show_doc` run for every exported symbol, backticked names linked to their API entries. The
processed notebooks are then rendered by nbconvert's HTML exporter (its `lab` template) into `_docs/`, one page per
notebook under the name Quarto would give it (`05_tree_attention.ipynb` -> `tree_attention.html`), with a sidebar in
the parts and order of `nbs/sidebar.yml`, `index.ipynb` as the home page, links between pages made relative, and `nbs/images` copied.
Every page loads without the network: the template's MathJax (a CDN script) is left out, and the equations of the
markdown cells are converted to MathML by `latex2mathml` at build time, which the browser renders itself.

    python tools/build_docs.py [--out _docs]   (or --quarto: nbdev_docs itself, with the same dataclass fix)
"""
from __future__ import annotations
import argparse, html, inspect, re, shutil
from pathlib import Path
import nbformat, warnings
warnings.filterwarnings('ignore', category=nbformat.warnings.MissingIDFieldWarning)  # nbdev cleans cell ids away (clean_ids)
from latex2mathml.converter import convert as latex_to_mathml
import yaml
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from nbdev.config import get_config
from nbdev.doclinks import _nbpath2html
from nbdev.serve import proc_nbs

OPTION = re.compile(r'^#\|\s*([\w-]+):\s*(.*?)\s*$')  # a Quarto cell option that nbdev's processing leaves for Quarto
STYLE = """
body { margin: 0; }
nav.faudclip-sidebar { position: fixed; top: 0; left: 0; bottom: 0; width: 15rem; overflow-y: auto; padding: 1rem;
  background: #f6f7f9; border-right: 1px solid #dde; font: 14px/1.5 system-ui, sans-serif; }
nav.faudclip-sidebar a { display: block; color: #234; text-decoration: none; padding: 0.1rem 0.3rem; border-radius: 3px; }
nav.faudclip-sidebar a.current { background: #dbe6f7; font-weight: 600; }
nav.faudclip-sidebar .site { font-weight: 700; font-size: 16px; margin-bottom: 0.6rem; }
nav.faudclip-sidebar .section { font-weight: 600; color: #567; margin: 0.8rem 0 0.2rem; font-size: 12px; text-transform: uppercase; }
main.faudclip-page { margin-left: 17rem; max-width: 62rem; padding: 1rem 2rem 4rem; }
main.faudclip-page .description { font-size: 1.15em; color: #555; margin-bottom: 1.5rem; }
"""

def dataclass_sources_from_library():
    """Give nbdev's `show_doc` the source of exported dataclasses, so that they get their parameter table.

    nbdev renders `show_doc` in a kernel that ran the export cells, so an exported dataclass there is a class of
    `__main__`, and fastcore's docments read no source for such a class: a config or a record showed its signature
    but no table of its fields' comments. Its source is the library's, which `nbdev_export` wrote from the same cell;
    the class is found through nbdev's index, by name and by its fields (two modules may export a `Frame`)."""
    import dataclasses, importlib
    import fastcore.docments as fastcore_docments
    lib = get_config().lib_name
    index = importlib.import_module(f'{lib}._modidx').d['syms']
    modules = {}  # class name -> the library modules that export one
    for module, symbols in index.items():
        for symbol in symbols: modules.setdefault(symbol[len(module) + 1:], []).append(module)
    library_source = fastcore_docments.get_dataclass_source
    def source(cls):
        if cls.__module__ != '__main__': return library_source(cls)
        fields = [f.name for f in dataclasses.fields(cls)]
        for module in modules.get(cls.__qualname__, []):
            exported = getattr(importlib.import_module(module), cls.__qualname__, None)
            if dataclasses.is_dataclass(exported) and [f.name for f in dataclasses.fields(exported)] == fields:
                return inspect.getsource(exported)
        return library_source(cls)
    fastcore_docments.get_dataclass_source = source

def forward_references_from_library():
    """Let `show_doc` evaluate annotations that name a class defined further down the notebook.

    nbdev runs `show_doc` for each exported symbol right after its export cell, in a kernel that has run only the
    cells above it; a dataclass annotated with a class that a later cell defines (SynthAU's `Identity.extras:
    HardFeatures | None`) then fails with a `NameError`. The library module, which `nbdev_export` wrote from the same
    cells, defines every name, so each notebook's kernel starts with its module's exports; the export cells then define
    the notebook's own versions over them, in order."""
    from nbdev import processors
    lib, begin = get_config().lib_name, processors.exec_show_docs.begin
    def seeded(self):
        begin(self)
        if not hasattr(self, 'k'): return
        module = next((c.directives_['default_exp'][0] for c in self.nb.cells
                       if c.cell_type == 'code' and 'default_exp' in (c.directives_ or {})), None)
        if not module: return
        seeded_with = self.k.run_cell(f'from {lib}.{module} import *')
        if seeded_with.exception:
            raise RuntimeError(f'the docs kernel of {self.nb.path_}: from {lib}.{module} import * failed') \
                from seeded_with.exception
    processors.exec_show_docs.begin = seeded

def sidebar_sections(nbs: Path) -> list[tuple[str | None, list[Path]]]:
    """The sidebar of `nbs/sidebar.yml` (the file nbdev gives Quarto) as (section title or None, notebooks); every
    notebook in `nbs` must be listed there once."""
    contents = yaml.safe_load((nbs / 'sidebar.yml').read_text())['website']['sidebar']['contents']
    sections = [(None, [nbs / c]) if isinstance(c, str) else (c['section'], [nbs / n for n in c['contents']]) for c in contents]
    listed = [p.name for _, ps in sections for p in ps]
    on_disk = sorted(p.name for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    extra, missing = sorted(set(listed) - set(on_disk)), sorted(set(on_disk) - set(listed))
    duplicated = sorted({n for n in listed if listed.count(n) > 1})
    problems = [f"{what}: {', '.join(names)}" for what, names in
                (('not in nbs/', extra), ('not listed', missing), ('listed twice', duplicated)) if names]
    if problems: raise SystemExit(f"error: nbs/sidebar.yml does not list each notebook once ({'; '.join(problems)})")
    return sections

def notebook_order(nbs: Path) -> list[Path]:
    "The notebooks in sidebar order (`nbs/sidebar.yml`): the home page, Part I, Part II, the guide."
    return [p for _, notebooks in sidebar_sections(nbs) for p in notebooks]

def page_name(notebook: Path) -> str:
    "The page Quarto would render `notebook` to (nbdev strips the number prefix): `tree_attention.html`."
    return 'index.html' if notebook.stem == 'index' else _nbpath2html(Path(notebook.name)).name

def frontmatter(nb) -> dict:
    "The YAML front matter that nbdev's processing put in the notebook's first raw cell (title, description, ...)."
    for cell in nb.cells:
        text = cell.source.strip()
        if cell.cell_type == 'raw' and text.startswith('---') and text.endswith('---'): return yaml.safe_load(text.strip('-')) or {}
    return {}

def apply_cell_options(nb):
    "Turn the Quarto cell options nbdev leaves (`#| echo: false`, `output`, `include`) into nbconvert's removal tags."
    for cell in nb.cells:
        if cell.cell_type == 'raw': cell.metadata.setdefault('tags', []).append('remove_cell'); continue
        if cell.cell_type != 'code': continue
        lines, options = cell.source.splitlines(), {}
        while lines and (m := OPTION.match(lines[0])): options[m[1]] = m[2].lower(); lines.pop(0)
        cell.source = '\n'.join(lines)
        tags = cell.metadata.setdefault('tags', [])
        if options.get('include') == 'false': tags.append('remove_cell')
        if options.get('echo') == 'false': tags.append('remove_input')
        if options.get('output') == 'false': tags.append('remove_output')
    return nb

DISPLAY_MATH = re.compile(r'\$\$(.+?)\$\$', re.S)
INLINE_MATH = re.compile(r'(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])')

def mathml(tex: str, display: bool) -> str | None:
    "MathML for `tex`, or None where latex2mathml cannot read it (the TeX then stays as it is)."
    try: return latex_to_mathml(tex.strip(), display='block' if display else 'inline')
    except Exception: return None  # latex2mathml raises many kinds on TeX it does not know

def equations_as_mathml(nb):
    "Replace `$$...$$` and `$...$` in markdown cells by MathML."
    for cell in nb.cells:
        if cell.cell_type != 'markdown': continue
        for pattern, display in ((DISPLAY_MATH, True), (INLINE_MATH, False)):
            cell.source = pattern.sub(lambda m: mathml(m[1], display) or m[0], cell.source)
    return nb

def exporter() -> HTMLExporter:
    "nbconvert's lab template, with the removal tags honoured and no script from the network."
    tags = TagRemovePreprocessor(remove_cell_tags={'remove_cell'}, remove_input_tags={'remove_input'},
                                 remove_all_outputs_tags={'remove_output'}, enabled=True)
    html_exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    html_exporter.register_preprocessor(tags, enabled=True)
    return html_exporter

def relative_links(page: str, site: str) -> str:
    "Links to the published site (nbdev's API links) and to sibling notebooks, made relative to the local pages."
    page = page.replace(site, '')
    return re.sub(r'href="(?:\./)?([\w-]+)\.ipynb', lambda m: f'href="{page_name(Path(m[1] + ".ipynb"))}', page)

def lowercase_anchors(page: str) -> str:
    "Give every heading a lowercase id too: nbdev links API entries as `#tree_attention`, nbconvert keeps the name's case."
    def add(m): return m[0] if m[1] == m[1].lower() else f'<a id="{m[1].lower()}"></a>{m[0]}'
    return re.sub(r'<h[1-6][^>]*\bid="([^"]+)"', add, page)

def link_attributes(page: str) -> str:
    "Apply the Pandoc attributes nbdev writes after its `source` links (`[source](url){target=... style=...}`) to the link."
    return re.sub(r'<a ([^>]*)>([^<]*)</a>\{([^}]*)\}', lambda m: f'<a {m[1]} {html.unescape(m[3])}>{m[2]}</a>', page)

def without_network_scripts(page: str) -> str:
    "Drop the `<script src=https://...>` tags the template adds (MathJax): the site must load offline."
    return re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', '', page)

def inline_html(text: str) -> str:
    "A title or description (Markdown with `code` at most) as HTML."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(text))

def sidebar(sections: list[tuple[str | None, list[tuple[str, str]]]], current: str, title: str) -> str:
    "The sidebar's HTML: the site's title, then each section's heading and its (page, title) links."
    def links(pages): return ''.join(f'<a href="{p}"{" class=current" if p == current else ""}>{inline_html(t)}</a>' for p, t in pages)
    parts = ''.join((f'<div class="section">{html.escape(s)}</div>' if s else '') + links(pages) for s, pages in sections)
    return f'<nav class="faudclip-sidebar"><div class="site"><a href="index.html">{html.escape(title)}</a></div>{parts}</nav>'

def build(out: Path) -> list[Path]:
    "Process the notebooks with nbdev and render them into `out`; returns the pages written."
    cfg = get_config()
    nbs, site = cfg.nbs_path, f"{cfg.doc_host}{cfg.doc_baseurl}/"
    cache = proc_nbs(nbs, n_workers=0, force=True)  # here, where the dataclass fix applies; no stale cache
    notebooks = notebook_order(nbs)
    processed = {p: equations_as_mathml(apply_cell_options(nbformat.read(cache / p.name, as_version=4))) for p in notebooks}
    for nb in processed.values(): nb.metadata.pop('widgets', None)  # no live widgets in a static page (and no widget script)
    titles = [(page_name(p), frontmatter(processed[p]).get('title') or p.stem) for p in notebooks]
    title_of = dict(zip(notebooks, titles))
    sections = [(section, [title_of[p] for p in ps]) for section, ps in sidebar_sections(nbs)]
    tmp = out.with_name(out.name + '.tmp')
    shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    if (nbs / 'images').is_dir(): shutil.copytree(nbs / 'images', tmp / 'images')
    html_exporter, written = exporter(), []
    for notebook, (name, title) in zip(notebooks, titles):
        nb = processed[notebook]
        meta = frontmatter(nb)
        body, _ = html_exporter.from_notebook_node(nb, resources={'metadata': {'name': title}})
        head = f'<h1>{inline_html(title)}</h1>' + (f'<p class="description">{inline_html(meta["description"])}</p>' if meta.get('description') else '')
        body = body.replace('</head>', f'<link rel="icon" href="data:,"/><style>{STYLE}</style></head>', 1)  # no favicon request
        body = re.sub(r'(<body[^>]*>)', lambda m: m[1] + sidebar(sections, name, cfg.title) + '<main class="faudclip-page">' + head, body, count=1)
        body = body.replace('</body>', '</main></body>', 1)
        page = tmp / name
        page.write_text(without_network_scripts(lowercase_anchors(link_attributes(relative_links(body, site)))))
        written.append(out / name)
    shutil.rmtree(out, ignore_errors=True); tmp.rename(out)  # never a half-built site in place
    return written

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=None, help='output folder (default: doc_path of settings.ini, _docs)')
    parser.add_argument('--quarto', action='store_true', help="run nbdev_docs (Quarto) instead, with the same fix")
    parser.add_argument('--check-sidebar', action='store_true', help="only check that nbs/sidebar.yml lists every notebook")
    args = parser.parse_args()
    if args.check_sidebar:
        parts = [f"{section or 'home'}: {len(notebooks)}" for section, notebooks in sidebar_sections(get_config().nbs_path)]
        print(f"sidebar.yml lists every notebook ({'; '.join(parts)})")
        raise SystemExit(0)
    dataclass_sources_from_library()
    forward_references_from_library()
    if args.quarto:
        # nbdev_docs would otherwise try to install Quarto itself (with sudo) and reinstall this package
        if not shutil.which('quarto'): raise SystemExit('error: quarto is not on PATH (make docs builds without it)')
        from nbdev.quarto import nbdev_docs
        nbdev_docs.__wrapped__(n_workers=0)  # in this process, so that nbdev's kernels see the fix
        raise SystemExit(0)
    out = Path(args.out) if args.out else get_config().doc_path
    pages = build(out)
    print(f"{len(pages)} pages -> {out}")

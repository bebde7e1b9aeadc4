"""`make docs-check`: open every page of `_docs/` in headless Chromium and fail on anything a reader would trip over.

Serves `_docs/` on localhost and opens each page with Debian's /usr/bin/chromium driven by Playwright (no browser
download). A page fails when it does not load, logs a console error or an uncaught exception, requests something
that fails (a missing file, or anything off this machine), or shows an image that did not decode. Links between
pages are checked too, fragments included. Every function and class a module exports (its `__all__`; nbdev gives
constants no entry, they show in their export cells) must have its API entry on the page where nbdev's index
(`faudclip/_modidx.py`) puts it, and an entry whose parameters are documented (docments) must show their table.
Screenshots of the home page, `05_tree_attention` and `11_gradcam` go to `outputs/docs_check/`.

    python tools/docs_check.py [--docs _docs] [--out outputs/docs_check]
"""
from __future__ import annotations
import argparse, functools, http.server, importlib, os, re, socketserver, sys, threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, unquote

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
SCREENSHOTS = {'index.html': 'home.png', 'tree_attention.html': '05_tree_attention.png', 'gradcam.html': '11_gradcam.png'}

class Anchors(HTMLParser):
    "The ids (and names) a page defines and the local links it makes."
    def __init__(self):
        super().__init__(); self.ids, self.links = set(), []
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ('id', 'name'):
            if attrs.get(key): self.ids.add(attrs[key])
        href = attrs.get('href') if tag == 'a' else None
        if href and not re.match(r'^[a-z][a-z0-9+.-]*:', href): self.links.append(href)  # relative: ours to check

def parse(page: Path) -> Anchors:
    anchors = Anchors(); anchors.feed(page.read_text()); return anchors

def link_problems(docs: Path) -> list[str]:
    "Local links whose page or fragment does not exist."
    pages = {p.name: parse(p) for p in docs.glob('*.html')}
    problems = []
    for name, anchors in pages.items():
        for href in anchors.links:
            target, _, fragment = href.partition('#')
            target = unquote(urlsplit(target).path) or name
            if target.endswith('.html') and target not in pages: problems.append(f'{name}: link to missing page {href}')
            elif not target.endswith('.html') and not (docs / target).exists(): problems.append(f'{name}: link to missing file {href}')
            elif fragment and target in pages and fragment not in pages[target].ids:
                problems.append(f'{name}: link to missing anchor {href}')
    return problems

def entry_sections(html: str, anchor: str) -> list[str]:
    "What follows each heading with id `anchor`, up to the next heading (a page may hold a section and an entry)."
    sections = []
    for m in re.finditer(rf'id="{re.escape(anchor)}"', html):
        start = html.index('</h', m.end())  # past the heading itself
        following = re.search(r'<h[1-6][ >]', html[start:])
        sections.append(html[start:start + following.start()] if following else html[start:])
    return sections

def has_documented_parameters(obj) -> bool:
    "Whether any parameter of `obj` has a docment, so that nbdev's `show_doc` owes it a table."
    from fastcore.docments import docments
    try: return any(v for k, v in docments(obj).items() if k != 'return')
    except (TypeError, ValueError, OSError): return False  # no signature, or no source to read comments from

def api_problems(docs: Path) -> tuple[list[str], int]:
    """Exported functions and classes (each module's `__all__`) without an API entry on their page, or without the
    parameter table their docments call for; and how many were checked."""
    index = importlib.import_module('faudclip._modidx').d['syms']
    problems, checked, pages = [], 0, {}
    for module, symbols in index.items():
        mod = importlib.import_module(module)
        exported = [n for n in getattr(mod, '__all__', []) if callable(getattr(mod, n))]  # constants: in their cells
        for name in exported:
            page, _, anchor = symbols.get(f'{module}.{name}', ('', ''))[0].partition('#')
            checked += 1
            if not page: problems.append(f'{module}.{name}: not in nbdev\'s index'); continue
            if page not in pages: pages[page] = (docs / page).read_text() if (docs / page).exists() else ''
            sections = entry_sections(pages[page], anchor)
            if not sections: problems.append(f'{module}.{name}: no API entry #{anchor} in {page}')
            elif has_documented_parameters(getattr(mod, name)) and not any('<table' in s for s in sections):
                problems.append(f'{module}.{name}: its API entry in {page} has no parameter table')
    return problems, checked

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass  # the problems are reported by the browser's side

def serve(docs: Path) -> tuple[socketserver.TCPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(docs))
    server = socketserver.TCPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/'

def page_problems(docs: Path, out: Path) -> list[str]:
    "Open every page in Chromium: load, console errors, page errors, failed or outside requests, broken images."
    from playwright.sync_api import sync_playwright
    server, base = serve(docs)
    problems = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for html in sorted(docs.glob('*.html')):
                page = browser.new_page(viewport={'width': 1280, 'height': 900})
                seen = []
                page.on('console', lambda m: seen.append(f'console error: {m.text}') if m.type == 'error' else None)
                page.on('pageerror', lambda e: seen.append(f'uncaught exception: {e}'))
                page.on('requestfailed', lambda r: seen.append(f'request failed: {r.url} ({r.failure})'))
                page.on('response', lambda r: seen.append(f'HTTP {r.status}: {r.url}') if r.status >= 400 else None)
                page.on('request', lambda r: seen.append(f'request off this machine: {r.url}')
                        if not r.url.startswith((base, 'data:', 'blob:', 'about:')) else None)
                response = page.goto(base + html.name, wait_until='load', timeout=60_000)
                if response is None or not response.ok: seen.append(f'did not load ({response.status if response else "no response"})')
                page.wait_for_load_state('networkidle', timeout=60_000)
                page.wait_for_function('() => !window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0', timeout=60_000)
                broken = page.evaluate('() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src.slice(0, 80))')
                seen += [f'image did not decode: {src}' for src in broken]
                if html.name in SCREENSHOTS: page.screenshot(path=str(out / SCREENSHOTS[html.name]), full_page=False)
                problems += [f'{html.name}: {s}' for s in seen]
                page.close()
            browser.close()
    finally: server.shutdown()
    return problems

def main(docs: Path, out: Path) -> int:
    if not (docs / 'index.html').exists(): sys.exit(f'error: {docs}/index.html not found; run make docs first')
    if not Path(CHROMIUM).exists(): sys.exit(f"error: {CHROMIUM} not found; install Debian's chromium (apt-get install chromium) or set CHROMIUM")
    out.mkdir(parents=True, exist_ok=True)
    pages = sorted(docs.glob('*.html'))
    links = link_problems(docs)
    api, checked = api_problems(docs)
    browser = page_problems(docs, out)
    for problem in links + api + browser: print(problem)
    print(f'{len(pages)} pages, {checked} exported symbols checked for an API entry, screenshots in {out}: '
          f'{len(links)} link, {len(api)} API and {len(browser)} page problems')
    return 1 if links or api or browser else 0

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--docs', default=str(ROOT / '_docs'))
    parser.add_argument('--out', default=str(ROOT / 'outputs' / 'docs_check'))
    args = parser.parse_args()
    sys.exit(main(Path(args.docs), Path(args.out)))

"""`make browser-check`: run nbs/12_explore.ipynb in JupyterLab in headless Chromium, change the AU, save a screenshot.

Starts JupyterLab on localhost, opens the notebook with Debian's /usr/bin/chromium driven by Playwright (no browser
download), runs all cells, waits for both explorers' panels (the random model's and the trained one's), picks another
AU in the trained explorer's dropdown, waits for its Grad-CAM panel to redraw, and saves `outputs/browser_check.png`.
JupyterLab's autosave is off, so the notebook on disk stays as it was. Exits non-zero, saying why, on any failure.
"""
from __future__ import annotations
import os, secrets, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
# Flags for a closed network and a root user (see the env notes): no sandbox, no background connections.
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def start_lab(port: int, token: str, log) -> subprocess.Popen:
    # Settings of this run only: render every cell (no windowing), so the explorer's panels are all in the page.
    # No autosave either: the run must leave the notebook on disk as it is.
    settings = Path(tempfile.mkdtemp()) / '@jupyterlab' / 'notebook-extension'
    settings.mkdir(parents=True)
    (settings / 'tracker.jupyterlab-settings').write_text('{"windowingMode": "none"}')
    docmanager = settings.parent / 'docmanager-extension'
    docmanager.mkdir()
    (docmanager / 'plugin.jupyterlab-settings').write_text('{"autosave": false}')
    cmd = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
           f'--ServerApp.token={token}', f'--ServerApp.root_dir={ROOT / "nbs"}', '--LabApp.expose_app_in_browser=True',
           '--ServerApp.allow_root=True', f'--LabApp.user_settings_dir={settings.parents[1]}', '--LabApp.news_url=None',
           '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, 'HF_HUB_OFFLINE': '1'})

def wait_for_lab(port: int, token: str, timeout: float = 120):
    url, start = f'http://127.0.0.1:{port}/api/status?token={token}', time.time()
    while time.time() - start < timeout:
        try: urllib.request.urlopen(url, timeout=2); return
        except OSError: time.sleep(0.5)
    raise RuntimeError(f'JupyterLab did not answer on port {port} within {timeout:.0f} s')

def gradcam_src(page) -> str:
    """The `src` of the last explorer's Grad-CAM panel (the first of its three images; the notebook shows two
    explorers, the last one the trained model's); it changes when the panel is redrawn."""
    images = page.locator('img.widget-image')
    return images.nth(images.count() - 3).get_attribute('src') or ''

def stable_screenshot(page, out: Path, tries: int = 12):
    "Screenshot once two in a row are identical: headless Chromium can paint large images over several frames."
    last = None
    for _ in range(tries):
        time.sleep(1.5)
        shot = page.screenshot()
        if shot == last: break
        last = shot
    out.write_bytes(shot)

def check(out: Path, timeout_ms: int = 300_000):
    from playwright.sync_api import sync_playwright
    port, token = free_port(), secrets.token_hex(16)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix('.log'), 'w') as log:
        lab = start_lab(port, token, log)
        try:
            wait_for_lab(port, token)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={'width': 1300, 'height': 1500})
                page.goto(f'http://127.0.0.1:{port}/lab/tree/12_explore.ipynb?token={token}&reset')
                page.wait_for_function('window.jupyterapp && document.querySelector(".jp-Notebook")', timeout=timeout_ms)
                page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=timeout_ms)
                time.sleep(3)  # let the kernel start
                page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")  # room for the panels
                page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
                # both explorers drawn (three panels each): the random model's, then the trained model's (a slow cell)
                page.wait_for_function("document.querySelectorAll('img.widget-image').length >= 6", timeout=timeout_ms)
                au = page.locator('.widget-dropdown:has(label:text-is("AU")) select').last
                au.wait_for(state='visible', timeout=timeout_ms)
                before = gradcam_src(page)
                options = au.locator('option').all_text_contents()
                au.select_option(index=len(options) - 1)
                page.wait_for_function(f"""() => {{
                    const imgs = [...document.querySelectorAll('img.widget-image')];
                    return imgs.length >= 3 && imgs[imgs.length - 3].src !== {before!r}
                        && imgs.every(i => i.complete && i.naturalHeight > 0); }}""", timeout=timeout_ms)
                time.sleep(2)
                page.add_style_tag(content='.Toastify { display: none !important; }')  # JupyterLab's news pop-up
                page.evaluate("window.jupyterapp.commands.execute('notebook:disable-output-scrolling')")  # the whole widget
                time.sleep(1)
                page.evaluate("Promise.all([...document.querySelectorAll('img.widget-image')].map(i => i.decode()))")
                stable_screenshot(page, out)
                n_images = page.locator('img.widget-image').count()
                browser.close()
        finally:
            lab.terminate(); lab.wait(timeout=30)
    if n_images < 3: raise RuntimeError(f'expected 3 explorer panels with images, found {n_images}')
    print(f'browser check passed: AU set to {options[-1]!r}, {n_images} panels drawn, screenshot {out}')

if __name__ == '__main__':
    if not Path(CHROMIUM).exists():
        sys.exit(f'error: {CHROMIUM} not found; install Debian\'s chromium (apt-get install chromium) or set CHROMIUM')
    check(ROOT / 'outputs' / 'browser_check.png')

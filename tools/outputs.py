"""`make outputs`: run the notebooks on the CPU, as `nbdev_test` does, and save their outputs in them.

nbdev projects keep the outputs of their notebooks (`clear_all = False` in settings.ini), so that a notebook read on
the web or in the docs shows its figures and tables. This runs every cell that `nbdev_test` runs, and the cells
flagged `slow` too: those train or load the small trained models whose figures the chapters show (`make test` skips
them; `nbdev_test --flags slow` runs them). Cells flagged `notest` or `gpu` are skipped and keep no output. Progress
bars are off, figures are 100-dpi PNGs, the network is off, and warnings and this machine's paths are left out. A cell marked `#| output: false` runs but keeps no output: that is how the figures of real photos (the
ones that ship inside scikit-image and matplotlib) stay out of the repository, which holds no photos; Quarto and
`make docs` hide such outputs too. Notebooks run one at a time, so that the timings some of them print are not
slowed by a neighbour. Each is written back with its new outputs (a notebook that fails is left as it was), and the
notebooks' sizes are reported. Run `make export` (nbdev_clean) afterwards; `make outputs` does.

    python tools/outputs.py [NOTEBOOK ...]   (default: every notebook in nbs/)
"""
from __future__ import annotations
import os, re, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_FLAGS = {'notest', 'gpu'}
LARGE = 1_000_000  # bytes: a cell output above this is reported

def _options(source: str) -> dict[str, str]:
    "The `#| key: value` options at the top of a cell."
    options = {}
    for line in source.splitlines():
        if not line.startswith('#|'): break
        key, _, value = line[2:].partition(':')
        if value: options[key.strip()] = value.strip().lower()
    return options

def _flags(source: str) -> set[str]:
    "The `#| flag` directives at the top of a cell."
    flags = set()
    for line in source.splitlines():
        if not line.startswith('#|'): break
        flags.update(line[2:].split())
    return flags

# TQDM_DISABLE only sets a default: a bar made with an explicit `disable=not progress` would still print
QUIET_TQDM = """
import tqdm.std
_tqdm_init = tqdm.std.tqdm.__init__
def _quiet_init(self, *args, **kwargs): _tqdm_init(self, *args, **{**kwargs, 'disable': True})
tqdm.std.tqdm.__init__ = _quiet_init
"""

def run_one(path: Path) -> None:
    "Execute `path` in this process and write it back with its outputs (called in a subprocess per notebook)."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb = read_nb(path)
    shell = CaptureShell(path, mpl_format='png')
    shell.run("import matplotlib; matplotlib.rcParams['figure.dpi'] = 100")
    shell.run(QUIET_TQDM)
    def skip(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export(' in cell.source or _flags(cell.source) & SKIP_FLAGS: cell.outputs = []; return True
        return False
    os.chdir(path.parent)
    shell.run_all(nb, exc_stop=True, preproc=skip)
    for cell in nb.cells:
        if cell.cell_type == 'code' and _options(cell.source).get('output') == 'false': cell.outputs = []  # real photos
    for cell in nb.cells:  # execution counts make diffs noisy and mean nothing here
        if cell.cell_type == 'code': cell.execution_count = None; _clean(cell)
    write_nb(nb, path)

def _clean(cell):
    "No warnings (library deprecations) and no paths of this machine in what a cell keeps."
    local = lambda text: re.sub(r'/tmp/tmp\w+', '…', ''.join(text).replace(str(ROOT), '.'))
    kept = []
    for out in cell.outputs:
        if out.get('output_type') == 'stream':
            text = ''.join(out.get('text', ''))
            glog = all(re.match(r'[WE]\d{4} ', line) for line in text.splitlines() if line)  # torch's C++ log lines
            if out.get('name') == 'stderr' and ('warning' in text.lower() or glog): continue  # logging's WARNING: too
            out['text'] = local(out.get('text', ''))
        for kind in ('text/plain', 'text/html', 'text/markdown'):  # tables and values shown as a cell's result
            if kind in out.get('data', {}): out['data'][kind] = local(out['data'][kind])
        kept.append(out)
    cell.outputs = kept

def run(path: Path) -> tuple[Path, bool, float, str]:
    "Run one notebook in a fresh Python (as nbdev_test does), returning (path, ok, seconds, error tail)."
    env = {**os.environ, 'TQDM_DISABLE': '1', 'HF_HUB_OFFLINE': '1', 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, '--one', str(path)], capture_output=True, text=True, env=env)
    return path, done.returncode == 0, time.perf_counter() - start, done.stderr[-2000:]

def report(paths: list[Path]) -> str:
    "The notebooks' sizes, and any cell output over LARGE bytes."
    import json
    lines, total = [], 0
    for p in paths:
        size = p.stat().st_size; total += size
        nb = json.loads(p.read_text())
        big = [i for i, c in enumerate(nb['cells']) if len(json.dumps(c.get('outputs', []))) > LARGE]
        lines.append(f'{p.name:<28} {size / 1e3:8.0f} kB' + (f'   large outputs in cells {big}' if big else ''))
    return '\n'.join(lines + [f'{"all notebooks":<28} {total / 1e6:8.2f} MB'])

def main(paths: list[Path], workers: int = 1) -> int:
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run, paths))
    failed = [(p, err) for p, ok, _, err in results if not ok]
    for p, ok, seconds, _ in results: print(f"{'ok    ' if ok else 'FAILED'} {p.name} ({seconds:.0f} s)")
    for p, err in failed: print(f'\n{p.name}:\n{err}', file=sys.stderr)
    print(report(sorted((ROOT / 'nbs').glob('*.ipynb'))))
    return 1 if failed else 0

if __name__ == '__main__':
    if sys.argv[1:2] == ['--one']: run_one(Path(sys.argv[2]).resolve()); sys.exit(0)
    paths = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / 'nbs').glob('*.ipynb'))
    sys.exit(main(paths))

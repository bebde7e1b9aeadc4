"""The GPU checks in one short run: the `#| gpu` cells of every notebook, asserted, with the numbers they print.

On a CUDA machine (`make gpu-check`): for each notebook that has `#| gpu` cells, runs its set-up cells (exports,
imports, definitions) and then its `#| gpu` cells, nothing else, so the whole check fits a short GPU loan. The cells
assert what they measure (no host sync, bf16 against fp32, compiled against eager, `faudclip bench --preset gpu`'s
ratios); this prints what they print and writes outputs/gpu_check.json.

    python3 tools/gpu_check.py               # on the GPU machine, with its own python3 and torch
    python tools/gpu_check.py --dry-run      # the same cells on the CPU at small sizes, to test them before a loan
    python tools/gpu_check.py --wheels       # here: download what the GPU machine's image lacks into .whl/

A machine without network installs the packages it lacks from .whl/ (`--wheels` fills it from this venv's versions).
"""
import argparse, ast, json, os, subprocess, sys, time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS, SITE = ROOT / '.whl', ROOT / '.gpu-site'
# What the GPU machine's image lacks (its package list: torch, numpy, pandas, matplotlib, opencv, timm, ... are there)
MISSING_THERE = ('open_clip_torch', 'ftfy', 'wcwidth', 'facenet-pytorch', 'fastcore', 'execnb',
                 'nbdev', 'ghapi', 'astunparse', 'watchdog', 'asttokens', 'executing', 'ipython',
                 'ipython_pygments_lexers', 'jedi', 'parso', 'matplotlib-inline', 'pexpect', 'ptyprocess',
                 'prompt_toolkit', 'pure_eval', 'stack_data', 'traitlets', 'tabulate')
PLATFORMS = [f'manylinux_2_{n}_x86_64' for n in (17, 27, 28)] + ['manylinux2014_x86_64', 'manylinux1_x86_64']


def download_wheels():
    "Download, for Python 3.12 on x86-64, the wheels of MISSING_THERE at the versions installed here."
    pins = [f'{name}=={metadata.version(name)}' for name in MISSING_THERE]
    platforms = [a for p in PLATFORMS for a in ('--platform', p)]
    subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '--only-binary=:all:',
                    '--python-version', '3.12', '--implementation', 'cp', *platforms, '-d', str(WHEELS), *pins],
                   check=True)
    print(f'{len(pins)} wheels in {WHEELS}: carry it to the GPU machine with the repository')


def install_wheels():
    "On a machine without network: the wheels of .whl/ into .gpu-site/, on this process's path and its children's."
    if not WHEELS.is_dir(): return
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-compile',
                    '--upgrade', '--target', str(SITE), *map(str, sorted(WHEELS.glob('*.whl')))], check=True)
    sys.path.insert(0, str(SITE))


def has_gpu_cells(path: Path) -> bool:
    "Whether a notebook has a code cell flagged `#| gpu`."
    cells = json.loads(path.read_text())['cells']
    return any(c['cell_type'] == 'code' and ''.join(c['source']).lstrip().startswith('#| gpu') for c in cells)


def is_setup(cell) -> bool:
    "A cell the `#| gpu` cells may build on: an export, or only imports, functions and classes."
    if {'export', 'exports'} & cell.directives_.keys(): return True
    try: tree = ast.parse(cell.source)
    except SyntaxError: return False
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return bool(tree.body) and all(isinstance(node, kinds) for node in tree.body) and 'nbdev_export' not in cell.source


def run_notebook(path: Path) -> dict:
    "Run `path`'s set-up cells and `#| gpu` cells in order; its result, with what the `#| gpu` cells printed."
    from execnb.shell import CaptureShell
    from fastcore.foundation import working_directory
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    for cell in nb.cells: cell.directives_ = getattr(cell, 'directives_', None) or {}
    gpu = lambda cell: cell.cell_type == 'code' and 'gpu' in cell.directives_
    skip = lambda cell: cell.cell_type != 'code' or not (gpu(cell) or is_setup(cell))
    shell, start, error = CaptureShell(path), time.perf_counter(), None
    try:
        with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=skip)
    except Exception:
        error = shell.prettytb(fname=path)
    printed = '\n'.join(''.join(''.join(o.get('text', '')) for o in cell.get('outputs', [])
                                if o.get('output_type') == 'stream').rstrip()
                        for cell in nb.cells if gpu(cell))
    return {'passed': error is None, 'seconds': round(time.perf_counter() - start, 1), 'printed': printed.strip(),
            'error': error, 'bench': shell.user_ns.get('result') if path.name.startswith('27_') else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dry-run', action='store_true', help='run the cells on the CPU at small sizes')
    parser.add_argument('--wheels', action='store_true', help='download the wheels the GPU machine lacks into .whl/')
    parser.add_argument('--out', default=str(ROOT / 'outputs' / 'gpu_check.json'), help='where to write the results')
    args = parser.parse_args()
    if args.wheels: return download_wheels()
    install_wheels()
    sys.path.insert(0, str(ROOT))
    import torch
    from faudclip.core import GPU_DRY_RUN, check_device, device_name
    paths = [str(ROOT), str(SITE), *filter(None, os.environ.get('PYTHONPATH', '').split(os.pathsep))]
    os.environ.update({'HF_HUB_OFFLINE': '1', 'IN_TEST': '1', GPU_DRY_RUN: '1' if args.dry_run else '0',
                       'PYTHONPATH': os.pathsep.join(paths)})  # torchrun's processes import faudclip too
    device = check_device()
    if device.type == 'cuda' and not torch.cuda.is_available():
        sys.exit('gpu_check: no CUDA GPU here; use --dry-run to run the cells on the CPU')
    notebooks = sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if has_gpu_cells(p))
    start, results = time.perf_counter(), {}
    for path in notebooks:
        results[path.name] = result = run_notebook(path)
        print(f"--- {path.name}: {'passed' if result['passed'] else 'FAILED'} in {result['seconds']:.0f} s\n"
              f"{result['printed']}{result['error'] or ''}", flush=True)
    bench = next((r.pop('bench') for r in results.values() if r.get('bench')), None)
    for r in results.values(): r.pop('bench', None)
    report = {'device': device_name(device), 'torch': torch.__version__, 'dry_run': args.dry_run,
              'seconds': round(time.perf_counter() - start, 1), 'notebooks': results, 'bench': bench}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + '\n')
    failed = [name for name, r in results.items() if not r['passed']]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed in {report['seconds']:.0f} s on "
          f"{report['device']} -> {args.out}")
    sys.exit(1 if failed else 0)


if __name__ == '__main__': main()

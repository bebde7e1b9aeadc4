"""The GPU checks in one short run: the `#| gpu` cells of every notebook, asserted, with the numbers they print.

On a CUDA machine (`make gpu-check`): for each notebook that has `#| gpu` cells, runs its set-up cells (exports,
imports, definitions) and then its `#| gpu` cells, nothing else, so the whole check fits a short GPU loan. The cells
assert what they measure (no host sync, bf16 against fp32, compiled against eager, `faudclip bench --preset gpu`'s
ratios); this prints what they print and writes outputs/gpu_check.json, with the seconds of every cell, also when a
notebook fails or runs out of time.

    python3 tools/gpu_check.py               # on the GPU machine, with its own python3 and torch
    python tools/gpu_check.py --dry-run      # the same cells on the CPU at small sizes, to test them before a loan
    python tools/gpu_check.py --wheels       # here: download what the GPU machine's image lacks into .whl/

It needs only the GPU machine's own packages and the few wheels of .whl/: no nbdev, execnb or IPython. It reads the
notebooks' JSON and their `#|` directives itself and runs each notebook's cells with `exec` in a process of its own
(killed at `--timeout`), leaving out imports of nbdev (`show_doc`) from the set-up cells. `make gpu-check DRY_RUN=1`
runs it in .gpu-venv/, which holds only the image's packages (tools/gpu_image.txt) and .whl/, so that what the GPU
machine lacks fails here first.
"""
import argparse, ast, contextlib, io, json, os, shutil, signal, subprocess, sys, time, traceback, types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELS, SITE = ROOT / '.whl', ROOT / '.gpu-site'
# What the GPU machine's image lacks among the packages the `#| gpu` cells import (torch, numpy, pandas, matplotlib,
# opencv, timm, regex, huggingface-hub, safetensors, tabulate, ... are there; tools/gpu_image.txt lists them)
MISSING_THERE = ('open_clip_torch', 'ftfy', 'wcwidth', 'fastcore')
# Imported before any notebook runs, so that a missing package is one line rather than a failure in every notebook
NEEDED = ('torch', 'numpy', 'pandas', 'matplotlib', 'cv2', 'einops', 'fastcore', 'open_clip', 'faudclip.core', 'faudclip.runtime',
          'faudclip.cli')
SKIPPED_FLAGS = {'slow', 'notest'}  # nbdev_test's flags other than gpu: set-up cells so flagged are not run either
PLATFORMS = [f'manylinux_2_{n}_x86_64' for n in (17, 27, 28)] + ['manylinux2014_x86_64', 'manylinux1_x86_64']


class CheckError(Exception):
    "A reason the check cannot run here (a missing package or wheel): printed as one line."


def download_wheels():
    "Download, for Python 3.12 on x86-64, the wheels of MISSING_THERE at the versions installed here."
    from importlib import metadata
    pins = [f'{name}=={metadata.version(name)}' for name in MISSING_THERE]
    platforms = [a for p in PLATFORMS for a in ('--platform', p)]
    subprocess.run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '--only-binary=:all:',
                    '--python-version', '3.12', '--implementation', 'cp', *platforms, '-d', str(WHEELS), *pins],
                   check=True)
    print(f'{len(pins)} wheels in {WHEELS}: carry it to the GPU machine with the repository')


def install_wheels():
    """The wheels of .whl/ into a fresh .gpu-site/ (a wheel taken out of .whl/ is gone from it too), on this process's
    path and its children's. Without .whl/, the packages must already be here."""
    shutil.rmtree(SITE, ignore_errors=True)
    wheels = sorted(WHEELS.glob('*.whl'))
    if not wheels: return
    done = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-compile',
                           '--disable-pip-version-check', '--upgrade', '--target', str(SITE), *map(str, wheels)],
                          capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ['pip failed'])[-1]
        raise CheckError(f"cannot install the wheels of {WHEELS}: {last}")
    sys.path.insert(0, str(SITE))


def check_imports():
    "Import NEEDED; a `CheckError` naming the missing package and where its wheel should be."
    import importlib
    for name in NEEDED:
        try: importlib.import_module(name)
        except ImportError as e:
            missing = getattr(e, 'name', None) or name
            where = (f"{WHEELS.name}/ holds {len(list(WHEELS.glob('*.whl')))} wheels but none provides it"
                     if WHEELS.is_dir() else f"there is no {WHEELS.name}/ here")
            raise CheckError(f"no Python package '{missing}' (importing {name}): {where}; run `make gpu-wheels` where "
                             f"pip works and carry {WHEELS.name}/ along") from None


def directives(source: str) -> dict:
    "The `#| name args` lines at the top of a cell, as nbdev reads them: `{'export': [], 'eval': ['false']}`."
    found = {}
    for line in source.splitlines():
        if not line.strip(): continue
        if not line.startswith('#|'): break
        name, *args = line[2:].split() or ['']
        found[name.rstrip(':')] = args
    return found


def is_setup(source: str, flags: dict) -> bool:
    "A cell the `#| gpu` cells may build on: an export, or only imports, functions and classes."
    if flags.get('eval') == ['false'] or SKIPPED_FLAGS & flags.keys(): return False
    if {'export', 'exports', 'exporti'} & flags.keys(): return True
    try: tree = ast.parse(source)
    except SyntaxError: return False
    kinds = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return bool(tree.body) and all(isinstance(node, kinds) for node in tree.body) and 'nbdev_export' not in source


def _imports_nbdev(node) -> bool:
    names = [node.module or ''] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
    return any(n.split('.')[0] == 'nbdev' for n in names)


def without_nbdev(source: str) -> str:
    """`source` with its top-level imports of nbdev blanked (the lines stay, so tracebacks keep their line numbers):
    the GPU machine has no nbdev, and the set-up cells import it only for `show_doc`."""
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_nbdev(node):
            for i in range(node.lineno - 1, node.end_lineno): lines[i] = ''
    return '\n'.join(lines)


def check_cells(path: Path) -> list[tuple[int, str, str]]:
    "(cell number, 'setup' or 'gpu', source) of the cells the check runs, in the notebook's order."
    cells = []
    for i, cell in enumerate(json.loads(path.read_text())['cells']):
        if cell['cell_type'] != 'code': continue
        source = ''.join(cell['source'])
        flags = directives(source)
        if 'gpu' in flags: cells.append((i, 'gpu', source))
        elif is_setup(source, flags): cells.append((i, 'setup', without_nbdev(source)))
    return cells


def has_gpu_cells(path: Path) -> bool:
    "Whether a notebook has a code cell flagged `#| gpu`."
    return any(kind == 'gpu' for _, kind, _ in check_cells(path))


class Tee(io.TextIOBase):
    "Writes to the terminal and keeps a copy."
    def __init__(self, stream): self.stream, self.copy = stream, io.StringIO()
    def write(self, text): self.stream.write(text); self.copy.write(text); return len(text)
    def flush(self): self.stream.flush()


def _error_line(path: Path, cell: int, e: BaseException) -> str:
    "One line for a failed cell; a missing module says where its wheel belongs."
    if isinstance(e, ModuleNotFoundError):
        return (f"{path.name} cell {cell}: no Python package '{e.name}' on this machine: carry its wheel in "
                f"{WHEELS.name}/ (MISSING_THERE in tools/gpu_check.py), or keep it out of the cells the check runs")
    first = (str(e).strip().splitlines() or [''])[0]
    return f"{path.name} cell {cell}: {type(e).__name__}: {first}"[:300]


def run_notebook(path: Path, out: Path):
    """In this process: `path`'s set-up and `#| gpu` cells in order, as a module's code, writing to `out` after every
    cell (so a notebook killed at its time limit still says which cells ran and for how long)."""
    module = types.ModuleType('__main__')
    module.__dict__['__builtins__'] = __builtins__
    sys.modules['__main__'] = module
    record = {'passed': False, 'error': None, 'traceback': None, 'cells': [], 'bench': None}
    os.chdir(path.parent)
    for i, kind, source in check_cells(path):
        start, tee = time.perf_counter(), Tee(sys.stdout)
        try:
            code = compile(source, f'{path.name} cell {i}', 'exec')
            with contextlib.redirect_stdout(tee): exec(code, module.__dict__)
        except BaseException as e:
            record['error'], record['traceback'] = _error_line(path, i, e), traceback.format_exc()
        finally:
            cell = {'cell': i, 'kind': kind, 'seconds': round(time.perf_counter() - start, 2)}
            if kind == 'gpu': cell['printed'] = tee.copy.getvalue().strip()
            record['cells'].append(cell)
            out.write_text(json.dumps(record, indent=1, default=str))
        if record['error']: break
    record['passed'] = record['error'] is None
    if path.name.startswith('27_'): record['bench'] = module.__dict__.get('result')
    out.write_text(json.dumps(record, indent=1, default=str))


def run_isolated(path: Path, dry_run: bool, timeout: float) -> dict:
    "Run `path` in a process of its own, killed with its children after `timeout` seconds; its record."
    out = ROOT / 'outputs' / f'.gpu_check_{path.stem}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    command = [sys.executable, __file__, '--notebook', str(path), '--cell-log', str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command + (['--dry-run'] if dry_run else []), start_new_session=True)
    try: process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL); process.wait()
    seconds = round(time.perf_counter() - start, 1)
    record = json.loads(out.read_text()) if out.is_file() else {'cells': [], 'bench': None}
    out.unlink(missing_ok=True)
    timed_out = process.returncode == -signal.SIGKILL and seconds >= timeout
    if timed_out:
        where = f"after cell {record['cells'][-1]['cell']}" if record['cells'] else 'in its first cell'
        record['error'] = f"{path.name}: stopped at its {timeout:.0f} s limit, {where}"
    elif record.get('error') is None and process.returncode:
        record['error'] = f"{path.name}: its process ended with code {process.returncode}"
    record.update(passed=record.get('error') is None, seconds=seconds, timed_out=timed_out)
    return record


def run_all(dry_run: bool, timeout: float, report: dict):
    "Every notebook with `#| gpu` cells, each in its own process, into `report`."
    import torch
    from faudclip.runtime import GPU_DRY_RUN, check_device, device_name
    paths = [str(ROOT), str(SITE), *filter(None, os.environ.get('PYTHONPATH', '').split(os.pathsep))]
    os.environ.update({'HF_HUB_OFFLINE': '1', 'IN_TEST': '1', 'MPLBACKEND': 'Agg', 'PYTHONUNBUFFERED': '1',
                       GPU_DRY_RUN: '1' if dry_run else '0', 'PYTHONPATH': os.pathsep.join(paths)})
    device = check_device()
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise CheckError("no CUDA GPU here; use --dry-run to run the cells on the CPU")
    report.update(device=device_name(device), torch=torch.__version__)
    for path in sorted(p for p in (ROOT / 'nbs').glob('*.ipynb') if has_gpu_cells(p)):
        print(f'--- {path.name}', flush=True)
        report['notebooks'][path.name] = result = run_isolated(path, dry_run, timeout)
        if result.get('bench'): report['bench'] = result['bench']
        result.pop('bench', None)
        gpu = ', '.join(f"cell {c['cell']} {c['seconds']:.1f} s" for c in result['cells'] if c['kind'] == 'gpu')
        status = 'passed' if result['passed'] else 'FAILED'
        print(f"--- {path.name}: {status} in {result['seconds']:.0f} s ({gpu or 'no gpu cell ran'})", flush=True)
        if result['error']: print(f"{result.get('traceback') or ''}gpu_check: {result['error']}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dry-run', action='store_true', help='run the cells on the CPU at small sizes')
    parser.add_argument('--wheels', action='store_true', help='download the wheels the GPU machine lacks into .whl/')
    parser.add_argument('--out', default=str(ROOT / 'outputs' / 'gpu_check.json'), help='where to write the results')
    parser.add_argument('--timeout', type=float, default=300, help='seconds each notebook may run')
    parser.add_argument('--notebook', help=argparse.SUPPRESS)  # one notebook, in the process run_isolated starts
    parser.add_argument('--cell-log', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.wheels: return download_wheels()
    if args.notebook: return run_notebook(Path(args.notebook), Path(args.cell_log))
    start = time.perf_counter()
    report = {'device': None, 'torch': None, 'python': sys.version.split()[0], 'dry_run': args.dry_run,
              'timeout_s': args.timeout, 'seconds': None, 'error': None, 'notebooks': {}, 'bench': None}
    try:
        install_wheels()
        sys.path.insert(0, str(ROOT))
        check_imports()
        run_all(args.dry_run, args.timeout, report)
    except CheckError as e: report['error'] = str(e)
    except Exception as e: report['error'] = f"{type(e).__name__}: {e}"; traceback.print_exc()
    finally:
        report['seconds'] = round(time.perf_counter() - start, 1)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + '\n')
    results = report['notebooks'].values()
    failed = sum(not r['passed'] for r in results)
    if report['error']: print(f"gpu_check: {report['error']} -> {args.out}")
    else: print(f"{len(results) - failed} passed, {failed} failed in {report['seconds']:.0f} s on {report['device']} "
                f"-> {args.out}")
    sys.exit(1 if failed or report['error'] else 0)


if __name__ == '__main__': main()

"""Run notebooks with their `#| gpu` and `#| slow` cells, as `nbdev_test --flags "gpu slow"` does, and print what those cells print.

nbdev_test keeps cell outputs to itself; the GPU cells report throughput, so this runner shows them.
Usage, on a CUDA machine: python tools/gpu_check.py nbs/07_model.ipynb nbs/09_train.ipynb
"""
import os, sys, time
from pathlib import Path
from fastcore.foundation import working_directory
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc

FLAGS = {'gpu', 'slow'}
SKIPPED = {'notest'}  # the flags nbdev_test skips unless asked for, less the ones run here

def run_notebook(path: Path) -> bool:
    "Execute `path` like nbdev_test with FLAGS forced; print the outputs of the flagged cells."
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    def skip(cell):
        if cell.cell_type != 'code' or 'nbdev_export(' in cell.source: return True
        return bool(SKIPPED & (getattr(cell, 'directives_', {}) or {}).keys())
    shell, start = CaptureShell(path), time.perf_counter()
    try:
        with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=skip)
        ok = True
    except Exception:
        sys.stderr.write(shell.prettytb(fname=path) + '\n'); ok = False
    for cell in nb.cells:
        if cell.cell_type == 'code' and FLAGS & (getattr(cell, 'directives_', {}) or {}).keys():
            text = ''.join(''.join(o.get('text', '')) for o in cell.get('outputs', []) if o.get('output_type') == 'stream')
            if text.strip(): print(f'--- {path.name}, flagged cell:\n{text.rstrip()}')
    print(f"{'passed' if ok else 'FAILED'}: {path} ({time.perf_counter() - start:.0f} s)", flush=True)
    return ok

if __name__ == '__main__':
    os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ['IN_TEST'] = '1'
    results = [run_notebook(Path(p).resolve()) for p in sys.argv[1:]]
    print(f'{sum(results)} passed, {len(results) - sum(results)} failed')
    sys.exit(0 if all(results) else 1)

"""One source for the demo's numbers that the book quotes: `nbs/results/demo.json`.

`make results` (for maintainers, after `make demo`) writes it from the run's `metrics.json` (rounded as the prose
quotes them, with the machine, the package versions and the date), with the run's figures that the book shows
(`nbs/images/demo_*.png`) and the run's whole `metrics.json` as `nbs/results/demo_metrics.json` (the source of the
guide's other numbers of this run: the pretraining, the explanation scores, the stages' seconds). `make test` checks that every place in the book that quotes a number quotes the committed
file's value, never a user's own run: change the demo, rerun it, `make results`, and the test names each sentence to
update.

    python tools/results.py write [outputs/demo/metrics.json]
    python tools/results.py check
    python tools/results.py study [outputs/study/study.json]

`study` (after `make study`) copies the study's `study.json` and figures to `nbs/results/study.json` and
`nbs/images/study_*.png`, which notebooks 10, 11 and 13 read.
"""
from __future__ import annotations
import datetime, json, os, platform, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'nbs' / 'results' / 'demo.json'
FIGURES = ('per_au_f1', 'fig5_AU12', 'clip_pretrain')  # the demo's figures that the book shows, as nbs/images/demo_*.png

# Where the book quotes the demo: (notebook, text that must be in one of its markdown cells, filled from RESULTS)
TABLE = ["| **FAUD-CLIP tiny** (fold 1 / 2 / 3: {fold1} / {fold2} / {fold3}) | **{mean_f1} %** |",
         "| CLIP zero-shot, thresholds fitted on each training fold | {zero_shot_fitted} % |",
         "| CLIP zero-shot: each AU's text against a neutral face's text | {zero_shot} % |",
         "| every AU predicted present | {all_positive} % |",
         "| each AU predicted at random at its training rate | {prior} % |"]
CLAIMS = ([('index.ipynb', line) for line in TABLE] + [('90_guide.ipynb', line) for line in TABLE] + [
    ('index.ipynb', "on the project's {cores}-core CPU machine, {date}, in {minutes} minutes"),
    ('index.ipynb', "with {versions}"),
    ('90_guide.ipynb', "with {versions}"),
    ('index.ipynb', "peaks on a pixel the AU changed in {pointing_faudclip} % of cases (chance {pointing_chance} %), "
                    "against {pointing_baseline} % for Table III's baseline"),
    ('90_guide.ipynb', "done: {mean_f1} % mean F1 on held-out subjects"),
    ('90_guide.ipynb', "in {minutes} min on {cores} CPU cores"),
    ('90_guide.ipynb', "It took **{minutes} min** by the demo's clock"),
    ('90_guide.ipynb', "{per_au_row}"),
    ('90_guide.ipynb', "| counterfactual hits (chance {pointing_chance} %) | {pointing_faudclip} % | {pointing_baseline} % |"),
])

def percent(x: float) -> float: return round(100 * x, 1)

def from_metrics(metrics: dict) -> dict:
    "The numbers the book quotes, from a demo's `metrics.json`, with this machine and today's date."
    pointing, env = metrics['explanations']['counterfactual'], metrics['environment']
    folds = {f"fold{f['fold']}": percent(f['mean_f1']) for f in metrics['folds']}
    return {'date': env.get('date', datetime.date.today().isoformat()), 'cores': env['cores'],
            'machine': f"{env['cpu']}, {env['cores']} cores",
            'versions': (f"Python {env['python']}, torch {env['torch']}, torchvision {env['torchvision']}, numpy "
                         f"{env['numpy']}, open_clip_torch {env['open_clip_torch']} and Pillow {env['pillow']} "
                         f"({env['cpu']}, {env['cores']} cores)"),
            'minutes': round(metrics['seconds'] / 60, 1), 'mean_f1': percent(metrics['mean_f1']), **folds,
            **{k: percent(v) for k, v in metrics['baselines'].items()},
            'pointing_faudclip': percent(pointing['FAUD-CLIP']['pointing']['hit_rate']),
            'pointing_baseline': percent(pointing['baseline']['pointing']['hit_rate']),
            'pointing_chance': percent(pointing['FAUD-CLIP']['pointing']['chance']),
            'per_au_row': '| ' + ' | '.join(f'{percent(v):.1f}' for v in metrics['per_au_f1'].values()) + ' |'}

def markdown(notebook: str) -> str:
    return '\n'.join(''.join(c['source']) for c in json.loads((ROOT / 'nbs' / notebook).read_text())['cells']
                     if c['cell_type'] == 'markdown')

def disagreements(results: dict) -> list[str]:
    "Each claim whose text, filled from `results`, is missing from its notebook's prose."
    texts = {}
    return [f"nbs/{nb}: no '{claim.format(**results)}'" for nb, claim in CLAIMS
            if claim.format(**results) not in texts.setdefault(nb, markdown(nb))]

STUDY_FIGURES = ('study_f1', 'study_effects', 'study_localisation', 'study_tree_levels')
STUDY_RESULTS = ROOT / 'nbs' / 'results' / 'study.json'

def one_decimal(x) -> str: return 'n/a' if x is None else f'{x:.1f}'

def interval(e: dict) -> str:
    "'mean [low, high]' with one decimal, as the book quotes an interval."
    return f"{one_decimal(e['mean'])} [{one_decimal(e['low'])}, {one_decimal(e['high'])}]"

def slug(name: str) -> str: return re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_')  # '+LP (full) - +TA' -> 'LP_full_TA'

TABLE3_EFFECTS = ('+FIL - baseline', '+TA - +FIL', '+LP (full) - +TA', '+LP (full) - baseline')

def from_study(study: dict) -> dict:
    "The numbers the book quotes from the study's study.json, by name."
    env, numbers = study['environment'], {}
    numbers.update(study_minutes=study['minutes'], study_runs=len(study['runs']), study_cores=env['cores'],
                   study_machine=f"{env['cpu']}, {env['cores']} cores", study_torch=env['torch'])
    d = study['design']
    train_faces = d['subjects'] * 2 // 3 * d['frames']  # two of the three folds' subjects
    numbers.update(design_epochs=d['epochs'], design_image_size=d['image_size'],
                   design_steps=d['epochs'] * -(-train_faces // 16))
    table3 = {k: e['verdict'] for k, e in study['f1_effects'].items() if k in TABLE3_EFFECTS}
    numbers['table3_summary'] = ("No component's effect is shown: every interval contains 0." if set(table3.values())
                                 == {'not shown'} else "Some intervals exclude 0: " + ', '.join(
                                     f'{k} {v}' for k, v in table3.items() if v != 'not shown') + '.')
    for name, e in study['f1_effects'].items():
        numbers[f'effect_{slug(name)}'], numbers[f'verdict_{slug(name)}'] = interval(e), e['verdict']
        numbers[f'detectable_{slug(name)}'] = one_decimal(e['detectable'])
        numbers[f'p_{slug(name)}'] = 'n/a' if e['p'] is None else f"{e['p']:.2f}"
    for table in ('f1', 'localisation', 'tree_levels'):
        for row, measures in study[table].items():
            for measure, e in measures.items(): numbers[f'{slug(row)}_{slug(measure)}'] = interval(e)
    for metric, effects in study['localisation_effects'].items():
        for name, e in effects.items():
            numbers[f'{metric}_{slug(name)}'], numbers[f'{metric}_verdict'] = interval(e), e['verdict']
            numbers[f'{metric}_p'] = 'n/a' if e['p'] is None else f"{e['p']:.2f}"
    for row, aus in study.get('f1_per_au', {}).items():
        for au, v in aus.items(): numbers[f'f1_{slug(row)}_{au}'] = one_decimal(v)
    for row, aus in study.get('per_au', {}).items():
        for au, measures in aus.items():
            for measure, v in measures.items(): numbers[f'{slug(row)}_{au}_{measure}'] = one_decimal(v)
    for level, e in study.get('tree_levels_8x8', {}).items():
        numbers[f'demo_{slug(level)}'] = f"{e['hit']:.1f}"
        numbers[f'demo_area_{slug(level)}'] = f"{e['area']:.1f}"
    return numbers

# Where the book quotes the study: (notebook, text that must be in one of its markdown cells, filled from study.json)
sys.path.insert(0, str(Path(__file__).parent))
from study_claims import CLAIMS as STUDY_CLAIMS

def write_study(path: Path):
    "Copy a finished study's study.json and figures into the book."
    if not path.is_file(): raise SystemExit(f"error: {path}: no such file (run make study first)")
    study = json.loads(path.read_text())
    if 'f1_effects' not in study or not study['f1_effects']:
        raise SystemExit(f"error: {path} has no paired effects: the study has not finished a pair of rows")
    d = study['design']
    expected = len(d['rows']) * len(d['seeds']) * len(d['folds'])
    if len(study['runs']) != expected:
        raise SystemExit(f"error: {path} holds {len(study['runs'])} runs of the {expected} its design has: finish it first")
    if not study.get('tree_levels_8x8'):
        raise SystemExit(f"error: {path} has no 8 x 8 tree levels, which the book quotes: run make demo, then make study")
    figures = [path.parent / f'{name}.png' for name in STUDY_FIGURES]
    missing = [str(f) for f in figures if not f.is_file()]
    if missing: raise SystemExit(f"error: the study's figures are missing: {', '.join(missing)}")
    shutil.copyfile(path, ROOT / 'nbs' / 'results' / 'study.json')
    for f in figures: shutil.copyfile(f, ROOT / 'nbs' / 'images' / f.name)

if __name__ == '__main__':
    command = sys.argv[1] if len(sys.argv) > 1 else 'check'
    if command == 'study':
        write_study(Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / 'outputs' / 'study' / 'study.json'))
        raise SystemExit(0)
    if command == 'write':
        metrics = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / 'outputs' / 'demo' / 'metrics.json')
        figures = [metrics.parent / f'{name}.png' for name in FIGURES]
        if not metrics.is_file(): raise SystemExit(f"error: {metrics}: no such file (run make demo first)")
        try: results = from_metrics(json.loads(metrics.read_text()))
        except (KeyError, TypeError, json.JSONDecodeError) as e:
            raise SystemExit(f"error: {metrics} is not the metrics.json of a full demo run ({type(e).__name__}: {e})")
        missing = [str(f) for f in figures if not f.is_file()]
        if missing: raise SystemExit(f"error: the demo's figures are missing: {', '.join(missing)}")
        RESULTS.parent.mkdir(exist_ok=True)  # the numbers and figures only once everything is there
        RESULTS.write_text(json.dumps(results, indent=1) + '\n')
        shutil.copyfile(metrics, RESULTS.with_name('demo_metrics.json'))
        for f in figures: shutil.copyfile(f, ROOT / 'nbs' / 'images' / f'demo_{f.name}')
        print(f"{RESULTS.relative_to(ROOT)} <- {metrics}; now `python tools/results.py check` names the prose to update")
    elif command == 'check':
        if not RESULTS.is_file(): raise SystemExit(f"error: {RESULTS.relative_to(ROOT)} is missing (make demo, then make results, writes it)")
        missing = disagreements(json.loads(RESULTS.read_text()))
        for line in missing: print(line, file=sys.stderr)
        if missing: raise SystemExit(f"error: {len(missing)} quotation(s) of the demo differ from {RESULTS.relative_to(ROOT)}")
        print(f"results: the book's {len(CLAIMS)} quotations of the demo agree with {RESULTS.relative_to(ROOT)}")
        if STUDY_CLAIMS:
            numbers, texts = from_study(json.loads(STUDY_RESULTS.read_text())), {}
            missing = [f"nbs/{nb}: no '{claim.format(**numbers)}'" for nb, claim in STUDY_CLAIMS
                       if claim.format(**numbers) not in texts.setdefault(nb, markdown(nb))]
            for line in missing: print(line, file=sys.stderr)
            if missing: raise SystemExit(f"error: {len(missing)} quotation(s) of the study differ from "
                                         f"{STUDY_RESULTS.relative_to(ROOT)}")
            print(f"results: the book's {len(STUDY_CLAIMS)} quotations of the study agree with "
                  f"{STUDY_RESULTS.relative_to(ROOT)}")
    else: raise SystemExit(f"usage: python tools/results.py write [metrics.json] | check (not {command!r})")

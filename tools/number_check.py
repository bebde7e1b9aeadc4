"""Every number the book's prose quotes has a source: `make test` fails on one that has none.

A number here is a decimal (3.5, 0.85), a percentage (48 %, 2.2 %) or a whole number with a unit of time, speed,
size or score (726 s, 45 ms, 12 min, 2,000 images/s, 42 GB, 3 points) in the prose: a markdown cell of a notebook, the
README, or the newest section of the CHANGELOG (the older sections are history, dated as such). Code spans, LaTeX,
links and image paths are not prose. A number's source is one of:

- the outputs saved with the same notebook: the prose reads what a cell printed;
- the code cells of the same notebook: a default or a constant defined there;
- for the pages that quote the demo and the study (the front page, the README, the guide, the CHANGELOG and notebooks
  10, 11, 13 and 28), the results files `nbs/results/*.json`, written by the commands that measured them
  (`make results`, `make study-results`), rounded to 1-3 decimals (a fraction also as a percentage, to 1-2);
- for the front page, the README and the guide, which gather the chapters' results: any notebook's outputs and code;
- `tools/number_sources.txt`: the few numbers measured outside the notebooks or taken from the paper, one line each,
  `file<TAB>number<TAB>where it comes from`. A line no prose uses any more is reported, so the list stays true.

A number that matches none of them is reported as `file: cell N: 12.3 has no source`: rerun the cell that measures it
(and save its output), quote the results file, or say where it comes from in `tools/number_sources.txt`.

    python tools/number_check.py
"""
from __future__ import annotations
import json, math, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
SOURCES = ROOT / 'tools' / 'number_sources.txt'
GATHERING = {'index.ipynb', '90_guide.ipynb', 'README.md'}  # pages that quote every chapter's results
RESULT_PAGES = GATHERING | {'CHANGELOG.md', '10_eval.ipynb', '11_gradcam.ipynb', '13_study.ipynb', '28_demo.ipynb'}

LETTER_UNITS = r'ms|s|min|minutes?|seconds?|hours?|images/s|img/s|frames/s|fps|[kKMG]i?B|points?'
UNIT = rf'(?=\s?%|\s(?:{LETTER_UNITS})\b)'  # 48 %, 48%; 726 s, not the 1990s
QUOTED = re.compile(r'(?<![\w.,])\d{1,3}(?:,\d{3})+\.\d+(?!\.?\d)'                   # 1,234.5
                    r'|(?<![\w.])\d+\.\d+(?!\.?\d)'                                  # 3.5, 0.85 (not 2.14.1)
                    rf'|(?<![\w.,])\d{{1,3}}(?:,\d{{3}})+{UNIT}'                       # 2,000 images/s
                    rf'|(?<![\w.,])\d+{UNIT}')                                          # 48 %, 726 s, 42 GB
ANY_NUMBER = re.compile(r'\d+(?:\.\d+)?')
SEPARATED = re.compile(r'\d{1,3}(?:[,_]\d{3})+(?:\.\d+)?')  # 1,200 and 19_200, also read as 1200 and 19200
NOT_PROSE = [re.compile(p, re.S) for p in (r'```.*?```', r'`[^`]*`', r'\$\$.*?\$\$', r'\$[^$\n]+\$', r'\]\([^)]*\)',
                                          r'</?[A-Za-z][^>]*>', r'https?://\S+')]

def prose_numbers(text: str) -> list[str]:
    "The decimals, percentages and whole numbers with a unit of a markdown text, outside code, LaTeX, links and tags."
    for pattern in NOT_PROSE: text = pattern.sub(' ', text)
    return [n.replace(',', '') for n in QUOTED.findall(text)]

def numbers_in(text: str) -> set[str]:
    "Every number written in `text` (outputs, code): each run of digits, and 1,200 or 19_200 also as 1200 and 19200."
    return set(ANY_NUMBER.findall(text)) | {re.sub('[,_]', '', n) for n in SEPARATED.findall(text)}

def renderings(value: float) -> set[str]:
    """How prose may quote a results file's value: a whole number as it is, else rounded to 1-3 decimals; a fraction
    also as a percentage to 1-2 decimals."""
    value = abs(value)
    if not math.isfinite(value): return set()
    if value == int(value): return {str(int(value))}
    out = {f'{value:.{k}f}' for k in (1, 2, 3)}
    if value <= 1: out |= {f'{100 * value:.{k}f}' for k in (1, 2)}
    return out

def result_numbers() -> set[str]:
    "Every value of the results files, in each rendering."
    found = set()
    def walk(x):
        if isinstance(x, bool): return
        if isinstance(x, (int, float)): found.update(renderings(float(x)))
        elif isinstance(x, dict): [walk(v) for v in x.values()]
        elif isinstance(x, list): [walk(v) for v in x]
        elif isinstance(x, str): found.update(numbers_in(x))
    for path in sorted((NBS / 'results').glob('*.json')): walk(json.loads(path.read_text()))
    return found

def notebook_parts(path: Path) -> tuple[list[tuple[int, str]], str, str]:
    "(index, text) of the markdown cells, the code cells' text, and the saved outputs' text of a notebook."
    cells = json.loads(path.read_text())['cells']
    prose = [(i, ''.join(c['source'])) for i, c in enumerate(cells) if c['cell_type'] == 'markdown']
    code = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
    outputs = []
    for c in cells:
        for o in c.get('outputs', []):
            outputs.append(''.join(o.get('text', '')))
            outputs += [''.join(v) if isinstance(v, list) else v for k, v in o.get('data', {}).items()
                        if k.startswith('text/')]
    return prose, code, '\n'.join(outputs)

def changelog_prose() -> list[tuple[int, str]]:
    "The CHANGELOG's newest section (its first `## ` heading to the next), as one piece of prose."
    sections = re.split(r'\n(?=## )', (ROOT / 'CHANGELOG.md').read_text())
    return [(1, sections[1])] if len(sections) > 1 else []

def declared() -> dict[tuple[str, str], str]:
    "tools/number_sources.txt: (file, number) -> where it comes from."
    out = {}
    for n, line in enumerate(SOURCES.read_text().splitlines(), 1):
        if not line.strip() or line.startswith('#'): continue
        parts = line.split('\t')
        if len(parts) != 3 or not parts[2].strip():
            raise SystemExit(f"{SOURCES.relative_to(ROOT)}:{n}: expected file<TAB>number<TAB>where it comes from")
        out[(parts[0], parts[1])] = parts[2]
    return out

def check(planted: str | None = None, # text added as one more cell of 00_start's prose: the self-test's
         ) -> list[str]:
    "'file: cell N: number has no source' for every unsourced number, and the unused lines of number_sources.txt."
    results, extra = result_numbers(), declared()
    notebooks = {p.name: notebook_parts(p) for p in sorted(NBS.glob('*.ipynb'))}
    pages = {name: (prose, numbers_in(code) | numbers_in(outputs)) for name, (prose, code, outputs) in notebooks.items()}
    every_notebook = set().union(*(own for _, own in pages.values()))
    pages['README.md'] = ([(0, (ROOT / 'README.md').read_text())], set())
    pages['CHANGELOG.md'] = (changelog_prose(), set())
    if planted: pages['00_start.ipynb'][0].append((-1, planted))
    problems, used = [], set()
    for name, (prose, own) in pages.items():
        known = own | (results if name in RESULT_PAGES else set()) | (every_notebook if name in GATHERING else set())
        for index, text in prose:
            for number in prose_numbers(text):
                if (name, number) in extra: used.add((name, number))
                elif number not in known: problems.append(f"{name}: cell {index}: {number} has no source")
    problems += [f"{SOURCES.relative_to(ROOT)}: {name} no longer quotes {number}"
                 for name, number in extra if (name, number) not in used]
    return problems

def self_test():
    "The check can fail: what it reads as prose, how it rounds, and a planted number it must report."
    assert prose_numbers("F1 3.5, 48 % and 0.85; not `9.9`, $1.5$, [a](x/2.5.png), torch 2.14.1") == ['3.5', '48', '0.85']
    assert prose_numbers("12 epochs in 726 s, 2,000 images/s, 42 GB; not 8 x 8, 15 AUs or the 1990s") == \
        ['726', '2000', '42']
    assert prose_numbers("1,234.5 s and (0.31,0.48), 202 frames/s, 35 kB") == ['1234.5', '0.31', '0.48', '202', '35']
    assert numbers_in("19_200 images, 1,200 frames, (64,128)") >= {'19200', '1200', '64', '128'}
    assert '48.1' in renderings(0.4806) and '48' not in renderings(0.4806)
    found = check('Planted: 61.7 %, 0.123 and 9,871 s.')
    assert {f'00_start.ipynb: cell -1: {n} has no source' for n in ('61.7', '0.123', '9871')} <= set(found), found

def main() -> int:
    self_test()
    problems = check()
    for p in problems: print(p)
    if problems:
        print(f"error: {len(problems)} number(s) without a source (see tools/number_check.py)")
        return 1
    print("numbers: every decimal, percentage and measured whole number in the prose has a source")
    return 0

if __name__ == '__main__': sys.exit(main())

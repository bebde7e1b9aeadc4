"""README.md is generated from `nbs/index.ipynb` (nbdev's `readme_nb`), without Quarto.

The home page of the documentation and the README are one text: edit `nbs/index.ipynb`, then run `make readme`.
Markdown cells are copied as they are; code cells become Python blocks, without their outputs (a README cannot hold
the figures a notebook makes); hidden cells (`#| hide`) and directive lines are left out; and the notebook's paths
to `images/` and to other notebooks gain `nbs/`. `--check` (run by `make test`) fails when README.md differs from
what index.ipynb gives.

    python tools/readme.py [--check]
"""
from __future__ import annotations
import argparse, difflib, re, sys
from pathlib import Path
import nbformat, warnings
warnings.filterwarnings('ignore', category=nbformat.warnings.MissingIDFieldWarning)  # nbdev cleans cell ids away (clean_ids)

ROOT = Path(__file__).resolve().parents[1]
NOTICE = '<!-- Generated from nbs/index.ipynb by `make readme`: edit the notebook, not this file. -->\n\n'

def render(notebook: Path) -> str:
    "The README's Markdown for `notebook`."
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        lines = cell.source.splitlines()
        if cell.cell_type == 'markdown':
            text = cell.source.strip().replace('](images/', '](nbs/images/')
            parts.append(re.sub(r'\]\((\w+\.ipynb)\)', r'](nbs/\1)', text))  # links to other notebooks
        elif cell.cell_type == 'code' and not any(l.strip() in ('#| hide', '#|hide') for l in lines):
            code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
            if code: parts.append(f'```python\n{code}\n```')
    return NOTICE + '\n\n'.join(parts) + '\n'

def main(check: bool) -> int:
    text, readme = render(ROOT / 'nbs' / 'index.ipynb'), ROOT / 'README.md'
    if not check:
        readme.write_text(text); print(f'{readme.name} <- nbs/index.ipynb'); return 0
    if readme.read_text() == text: return 0
    diff = difflib.unified_diff(readme.read_text().splitlines(), text.splitlines(), 'README.md', 'from nbs/index.ipynb', lineterm='', n=1)
    print('\n'.join(list(diff)[:40]))
    print('error: README.md is not what nbs/index.ipynb gives: edit the notebook, then run make readme', file=sys.stderr)
    return 1

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='only compare, and fail when they differ')
    sys.exit(main(parser.parse_args().check))

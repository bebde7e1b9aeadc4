"""The library's style, checked by `make test`: no line over 120 characters, no chain of one-line bodies, no export
cell over 60 lines, and no notebook cell that mixes imports with other code.

A reader of the site sees every export cell, so the code in `faudclip/` keeps to three rules:
- no line is longer than 120 characters, except what nbdev writes itself (`__all__`, the module docstring taken from
  the notebook's description, `_modidx.py`);
- a compound statement whose body does several things is a block: `if x: a; b` becomes three lines (a one-line body
  that does one thing, `if x: return y`, is fine);
- an export cell holds one idea a reader can take in at once: at most 60 lines, a long class's methods in cells of
  their own (`@patch`), a long function split into the steps the prose walks through.

And in the notebooks, imports have cells of their own: nbdev's documentation build runs every cell that imports
something (so that `show_doc` finds the names), and a cell that also trains, renders or tests would run there too, out
of its order (a name it uses undefined, or minutes of training in `make docs`). The rule is nbdev's own test
(`nbdev.processors._do_eval`): a cell with an import anywhere is run, so it may hold nothing but imports.

It names each offending line as `notebook-exported file:line`; fix the export cell in the notebook, then `make export`.

    python tools/style_check.py
"""
from __future__ import annotations
import ast, io, json, re, sys, tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 120
CELL_LINES = 60
EXPORT = re.compile(r'#\|\s*export')  # `#| export`, `#|export`, `#| exporti`
COMPOUND = {'if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'def', 'class'}

def generated(line: str, number: int) -> bool:
    "The module docstring that nbdev writes from the notebook's description."
    return number == 1 and line.startswith('"""')

def chained_bodies(source: str) -> list[int]:
    "Lines where a compound statement's one-line body holds several statements (`if x: a; b`)."
    depth, header, first, found = 0, None, True, []
    for t in tokenize.generate_tokens(io.StringIO(source).readline):
        if t.type in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT):
            if t.type != tokenize.COMMENT: header, first = None, True
            continue
        if first and t.type == tokenize.NAME and t.string in COMPOUND: header = t.start[0]
        first = False
        if t.type == tokenize.OP and t.string in '([{': depth += 1
        elif t.type == tokenize.OP and t.string in ')]}': depth -= 1
        elif t.type == tokenize.OP and t.string == ';' and depth == 0 and header == t.start[0]: found.append(t.start[0])
    return sorted(set(found))

def problems(path: Path) -> list[str]:
    "What breaks the two rules in one file, as 'file:line: what'."
    source = path.read_text()
    lines = source.splitlines()
    in_all = False
    out = []
    for number, line in enumerate(lines, 1):
        in_all = line.startswith('__all__') or (in_all and line.startswith(' '))
        if len(line) > WIDTH and not in_all and not generated(line, number):
            out.append(f"{path.relative_to(ROOT)}:{number}: {len(line)} characters (at most {WIDTH})")
    out += [f"{path.relative_to(ROOT)}:{n}: several statements in a one-line body; make it a block"
            for n in chained_bodies(source)]
    return out

def long_cells(notebook: Path) -> list[str]:
    "The export cells of a notebook with more than `CELL_LINES` lines, as 'notebook cell N: n lines'."
    cells = json.loads(notebook.read_text())['cells']
    sources = [(i, ''.join(c['source'])) for i, c in enumerate(cells) if c['cell_type'] == 'code']
    return [f"{notebook.relative_to(ROOT)} cell {i}: {len(s.splitlines())} lines in one export cell (at most "
            f"{CELL_LINES}): split it" for i, s in sources
            if EXPORT.match(s) and len(s.splitlines()) > CELL_LINES]

DOCS_RUN = {'export', 'exports', 'exporti', 'exec_doc'}  # directives of cells that nbdev's docs build runs anyway

def head_directives(source: str) -> dict[str, str]:
    "The `#|` directives at the head of a cell, as nbdev reads them: name -> value (lower case)."
    found = {}
    for line in source.splitlines():
        if not line.strip(): continue
        if not line.lstrip().startswith('#|'): break
        name, _, value = line.lstrip()[2:].strip().partition(' ')
        found[name.rstrip(':').lower()] = value.strip().lower()
    return found

def mixed_imports(notebook: Path) -> list[str]:
    """The code cells that nbdev's docs build would run although they do more than import: a cell with an import
    anywhere is run there (`nbdev.processors._do_eval`), so any other statement in it runs too, out of order."""
    out = []
    for i, c in enumerate(json.loads(notebook.read_text())['cells']):
        s = ''.join(c['source'])
        if c['cell_type'] != 'code' or 'nbdev_export()' in s: continue
        directives = head_directives(s)
        if directives.keys() & DOCS_RUN or directives.get('eval') == 'false': continue
        try: tree = ast.parse(s)
        except SyntaxError: continue
        imports = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
        if imports and any(not isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body):
            out.append(f"{notebook.relative_to(ROOT)} cell {i}: imports beside other code, which `make docs` would run; "
                       "give the imports a cell of their own")
    return out

def main() -> int:
    files = [p for p in sorted((ROOT / 'faudclip').glob('*.py')) if p.name != '_modidx.py']
    found = [problem for path in files for problem in problems(path)]
    notebooks = sorted((ROOT / 'nbs').glob('*.ipynb'))
    found += [problem for nb in notebooks for problem in long_cells(nb) + mixed_imports(nb)]
    for problem in found: print(problem)
    if found:
        print(f"error: {len(found)} style problem(s); edit the export cells in nbs/, then make export")
        return 1
    print(f"style: {len(files)} modules, no line over {WIDTH} characters, no chained one-line bodies, no export cell "
          f"over {CELL_LINES} lines; {len(notebooks)} notebooks, no imports beside other code")
    return 0

if __name__ == '__main__': sys.exit(main())

"""`faudclip detect` end to end against SynthAU ground truth, after `make demo`.

Renders videos of subjects held out of fold 1, runs `detect` with the demo's fold-1 checkpoint, and prints the
F1 per AU pooled over the videos' frames, beside the F1 of the same decoded frames aligned with the true landmarks
and the demo's own held-out fold-1 F1. Writes outputs/detect_check/ (videos, rows.csv, result.json).

    .venv/bin/python tools/detect_check.py [--subjects 10] [--frames 80] [--size 256]
"""
import argparse, json
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from PIL import Image
from faudclip.align import align_landmarks
from faudclip.core import au_columns
from faudclip.data import au_transforms, read_list
from faudclip.detect import detect, read_frames
from faudclip.evaluate import f1_scores, f1_table
from faudclip.synth import render_video
from faudclip.checkpoints import load_model

def true_landmark_predictions(model, cfg, video: Path, labels: pd.DataFrame) -> np.ndarray:
    "AU decisions (n, c) for the decoded frames of `video` aligned with SynthAU's true landmarks: what detection does not cost."
    marks = np.stack([labels[[f'x_{i}' for i in range(5)]].to_numpy(), labels[[f'y_{i}' for i in range(5)]].to_numpy()], -1)  # (n, 5, 2)
    transform = au_transforms(False, cfg.image_size, cfg.resize)
    faces = torch.stack([transform(Image.fromarray(align_landmarks(f.image, marks[f.frame]).image)) for f in read_frames(video, str(video))])
    with torch.no_grad(): return (torch.sigmoid(model.eval()(faces).logits) >= 0.5).float().numpy()

def main(demo: Path, out: Path, n_subjects: int, n_frames: int, size: int):
    checkpoint = demo / 'runs' / 'fold1' / 'last.pt'
    model, cfg = load_model(checkpoint)
    aus = model.cfg.aus
    paths, _ = read_list(demo / 'synthau' / 'list', cfg.dataset, 'test', 1)
    subjects = sorted({p.split('/')[0] for p in paths})[:n_subjects]  # held out of fold 1
    out.mkdir(parents=True, exist_ok=True)
    videos = [out / f'{s}.mp4' for s in subjects]
    for s, v in zip(subjects, videos): render_video(v, s, n_frames=n_frames, seed=json.loads((demo / 'synthau' / 'demo_render.json').read_text())['seed'], size=size)
    (out / 'rows.csv').unlink(missing_ok=True)
    rows = detect(videos, checkpoint, out=out / 'rows.csv')
    detected, truth, aligned = [], [], []
    for v in videos:
        labels = pd.read_csv(v.with_suffix('.csv'))
        found = rows[(rows.input == str(v)) & (rows.success == 1)].sort_values('confidence', ascending=False).drop_duplicates('frame')
        detected.append(found.set_index('frame').reindex(labels.frame)[[f'AU{a:02d}_c' for a in aus]].fillna(0).to_numpy(float))  # no face: absent
        truth.append(labels[au_columns(aus)].to_numpy())
        aligned.append(true_landmark_predictions(model, cfg, v, labels))
    detected, truth, aligned = map(np.concatenate, (detected, truth, aligned))
    table = pd.DataFrame({'detect': f1_table(f1_scores(detected, truth), aus), 'true landmarks': f1_table(f1_scores(aligned, truth), aus)})
    result = {'subjects': subjects, 'frames': len(truth), 'frames_with_a_face': int(rows.success.sum()),
              'face_ids': sorted(int(i) for i in rows.face_id.dropna().unique()), 'f1': table.to_dict(),
              'demo_fold1_f1': json.loads((demo / 'metrics.json').read_text())['folds'][0]['mean_f1'] * 100, 'seconds': rows.attrs['seconds']}
    (out / 'result.json').write_text(json.dumps(result, indent=1))
    print(table.T.to_string())
    print(f"faces found in {result['frames_with_a_face']} of {result['frames']} frames; face ids {result['face_ids']}; "
          f"the demo's fold-1 F1 on aligned crops: {result['demo_fold1_f1']:.1f} %; seconds per stage {result['seconds']}")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--demo', default='outputs/demo'); p.add_argument('--out', default='outputs/detect_check')
    p.add_argument('--subjects', type=int, default=10); p.add_argument('--frames', type=int, default=80); p.add_argument('--size', type=int, default=256)
    a = p.parse_args()
    main(Path(a.demo), Path(a.out), a.subjects, a.frames, a.size)

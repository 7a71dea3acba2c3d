"""Trains the offline reader's cell recognizer: a small CRNN read with CTC over the whole digit
part of a number cell, exported to ONNX with its calibration temperature built in.

  /usr/bin/python3 training/train_cells.py --threads 1 --epochs 12 --out src/local/model/cells.onnx

Data: labelled crops of the project's generator forms (training/export_cells.ts, read again at
every epoch so a running export keeps adding) and procedural pen-stroke/MNIST cells
(cell_synth.py, cached in training/.cache). The model is exported after every epoch."""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cell_synth import CELL_H, CELL_W, CellSynth  # noqa: E402

REPO = os.path.dirname(HERE)
CACHE = os.path.join(HERE, ".cache")
# CTC classes: 0 = blank, 1..10 = digits 0-9, 11 = dash.
ALPHABET = "0123456789-"


def encode(text):
    return [ALPHABET.index(c) + 1 for c in text]


class CellNet(nn.Module):
    def __init__(self):
        super().__init__()

        def block(i, o):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True))

        self.features = nn.Sequential(
            block(1, 16), nn.MaxPool2d(2),            # 16 x 64
            block(16, 24), nn.MaxPool2d(2),           # 8 x 32
            block(24, 48), nn.MaxPool2d((2, 1)),      # 4 x 32
            block(48, 64), nn.MaxPool2d((4, 1)),      # 1 x 32
        )
        self.rnn = nn.LSTM(64, 48, bidirectional=True, batch_first=True)
        self.head = nn.Linear(96, len(ALPHABET) + 1)
        # Calibration temperature, fitted after training and exported inside the graph.
        self.register_buffer("temperature", torch.ones(1))

    def forward(self, x):
        f = self.features(x).squeeze(2).permute(0, 2, 1)  # N x T x C
        out, _ = self.rnn(f)
        return self.head(out) / self.temperature  # N x T x classes (logits)


def load_generator_cells(prefix):
    raster, labels = f"{prefix}.u8", f"{prefix}.jsonl"
    if not os.path.exists(raster):
        return np.zeros((0, CELL_H, CELL_W), np.float32), []
    with open(labels) as f:
        lab = [json.loads(line)["label"] for line in f if line.strip()]
    data = np.fromfile(raster, dtype=np.uint8)
    n = min(len(lab), data.size // (CELL_H * CELL_W))
    return data[: n * CELL_H * CELL_W].reshape(n, CELL_H, CELL_W).astype(np.float32) / 255.0, lab[:n]


def load_mnist():
    base = os.path.join(CACHE, "mnist", "src", "digits")
    if not os.path.exists(os.path.join(base, "9.json")):
        print("MNIST sample missing (run training/fetch_mnist.sh); pen strokes only", flush=True)
        return []
    out = []
    for digit in range(10):
        with open(os.path.join(base, f"{digit}.json")) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32)
        out.extend((digit, img) for img in data.reshape(-1, 28, 28))
    return out


def procedural_cells(n, seed):
    path = os.path.join(CACHE, f"proc-{n}-{seed}.npz")
    if os.path.exists(path):
        z = np.load(path)
        return z["x"].astype(np.float32) / 255.0, list(z["y"])
    synth = CellSynth(load_mnist(), seed)
    xs = np.zeros((n, CELL_H, CELL_W), np.uint8)
    ys = []
    t0 = time.time()
    for i in range(n):
        x, y = synth.cell()
        xs[i] = np.round(x * 255)
        ys.append(y)
        if (i + 1) % 5000 == 0:
            print(f"procedural cells {i + 1}/{n} ({time.time() - t0:.0f}s)", flush=True)
    os.makedirs(CACHE, exist_ok=True)
    np.savez_compressed(path, x=xs, y=np.array(ys, dtype=object), allow_pickle=True)
    return xs.astype(np.float32) / 255.0, ys


def augment(x, rng):
    """Cheap per-epoch variation on already-made cells: shift, scale, contrast, specks."""
    n = x.shape[0]
    theta = torch.zeros(n, 2, 3)
    s = torch.from_numpy(rng.uniform(0.9, 1.1, n)).float()
    theta[:, 0, 0] = s * torch.from_numpy(rng.uniform(0.9, 1.1, n)).float()
    theta[:, 1, 1] = s
    theta[:, 0, 1] = torch.from_numpy(rng.uniform(-0.06, 0.06, n)).float()
    theta[:, 0, 2] = torch.from_numpy(rng.uniform(-0.04, 0.04, n)).float()
    theta[:, 1, 2] = torch.from_numpy(rng.uniform(-0.08, 0.08, n)).float()
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    out = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")
    gain = torch.from_numpy(rng.uniform(0.7, 1.15, (n, 1, 1, 1))).float()
    out = (out * gain + torch.randn_like(out) * 0.03).clamp(0, 1)
    return out


def ctc_batch(labels):
    targets = [torch.tensor(encode(t), dtype=torch.long) for t in labels]
    lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
    flat = torch.cat(targets) if any(len(t) for t in targets) else torch.zeros(0, dtype=torch.long)
    return flat, lengths


def greedy(logits):
    best = logits.argmax(-1).numpy()
    out = []
    for row in best:
        s, prev = [], 0
        for k in row:
            if k != prev and k != 0:
                s.append(ALPHABET[k - 1])
            prev = k
        out.append("".join(s))
    return out


def sequence_nll(model, x, labels, batch=512):
    """-log P(label | cell) under CTC, per cell."""
    model.eval()
    losses = []
    with torch.no_grad():
        for i in range(0, len(labels), batch):
            logits = model(x[i:i + batch])
            lp = logits.log_softmax(-1).permute(1, 0, 2)
            flat, lengths = ctc_batch(labels[i:i + batch])
            inputs = torch.full((lp.shape[1],), lp.shape[0], dtype=torch.long)
            losses.append(F.ctc_loss(lp, flat, inputs, lengths, blank=0, reduction="none", zero_infinity=True))
    return torch.cat(losses)


def evaluate(model, x, labels):
    model.eval()
    with torch.no_grad():
        pred = []
        for i in range(0, len(labels), 512):
            pred += greedy(model(x[i:i + 512]))
    return float(np.mean([p == t for p, t in zip(pred, labels)])), pred


def fit_temperature(model, x, labels):
    """Temperature scaling on held-out generator cells: the T that minimises the cells' NLL."""
    best_t, best = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.5), np.log(4.0), 29)):
        model.temperature.fill_(float(t))
        nll = float(sequence_nll(model, x, labels).mean())
        if nll < best:
            best_t, best = float(t), nll
    model.temperature.fill_(best_t)
    return best_t, best


def reliability(model, x, labels, bins=(0, 0.5, 0.7, 0.9, 0.97, 0.99, 0.999, 1.0001)):
    """Predicted confidence (P of the best-path string) against observed accuracy, in bins."""
    _, pred = evaluate(model, x, labels)
    conf = torch.exp(-sequence_nll(model, x, pred)).numpy()
    right = np.array([p == t for p, t in zip(pred, labels)])
    rows = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        m = (conf >= lo) & (conf < hi)
        if m.sum():
            rows.append((lo, min(hi, 1.0), int(m.sum()), float(conf[m].mean()), float(right[m].mean())))
    return rows


def export(model, out):
    model.eval()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, CELL_H, CELL_W), out, input_names=["cells"], output_names=["logits"],
                      dynamic_axes={"cells": {0: "n"}, "logits": {0: "n"}}, opset_version=13)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--procedural", type=int, default=12000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--train", default=os.path.join(CACHE, "gen-train"))
    ap.add_argument("--calib", default=os.path.join(CACHE, "gen-calib"))
    ap.add_argument("--out", default=os.path.join(REPO, "src", "local", "model", "cells.onnx"))
    ap.add_argument("--resume", default="", help="a .pt state to continue from")
    ap.add_argument("--calibrate-only", action="store_true", help="fit T on --calib for --resume and export")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = CellNet()
    print(f"parameters: {sum(p.numel() for p in model.parameters())}", flush=True)
    state_path = os.path.splitext(args.out)[0] + ".pt"
    if args.resume:
        model.load_state_dict(torch.load(args.resume))
    if args.calibrate_only:
        return calibrate_and_export(model, args, state_path)

    px, py = procedural_cells(args.procedural, args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    for epoch in range(args.epochs):
        gx, gy = load_generator_cells(args.train)
        x = np.concatenate([px, gx]) if len(gy) else px
        y = list(py) + list(gy)
        order = rng.permutation(len(y))
        # The last 5% of the order is this epoch's check; it is not trained on in this epoch.
        cut = int(len(order) * 0.95)
        train_idx, val_idx = order[:cut], order[cut:]
        lr = args.lr * 0.5 * (1 + np.cos(np.pi * epoch / args.epochs))
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        t0, total = time.time(), 0.0
        for i in range(0, len(train_idx), args.batch):
            idx = train_idx[i:i + args.batch]
            xb = augment(torch.from_numpy(x[idx]).unsqueeze(1), rng)
            logits = model(xb)
            lp = logits.log_softmax(-1).permute(1, 0, 2)
            flat, lengths = ctc_batch([y[j] for j in idx])
            inputs = torch.full((len(idx),), lp.shape[0], dtype=torch.long)
            loss = F.ctc_loss(lp, flat, inputs, lengths, blank=0, zero_infinity=True)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += float(loss) * len(idx)
        acc, _ = evaluate(model, torch.from_numpy(x[val_idx]).unsqueeze(1), [y[j] for j in val_idx])
        print(f"epoch {epoch + 1}: {len(train_idx)} cells ({len(gy)} from generator forms), loss {total / len(train_idx):.4f}, "
              f"check accuracy {acc:.4f}, lr {lr:.5f} ({time.time() - t0:.0f}s)", flush=True)
        torch.save(model.state_dict(), state_path)
        export(model, args.out)  # after every epoch, so a long run can be stopped early
    calibrate_and_export(model, args, state_path)


def calibrate_and_export(model, args, state_path):
    cx, cy = load_generator_cells(args.calib)
    if not cy:
        print("no calibration cells; exported uncalibrated (T = 1)", flush=True)
        return export(model, args.out)
    xc = torch.from_numpy(cx).unsqueeze(1)
    model.temperature.fill_(1.0)
    acc, _ = evaluate(model, xc, cy)
    t, nll = fit_temperature(model, xc, cy)
    print(f"calibration: {len(cy)} held-out generator cells, accuracy {acc:.4f}, temperature {t:.3f}, NLL {nll:.4f}", flush=True)
    print("confidence bin      cells  mean confidence  accuracy", flush=True)
    for lo, hi, n, c, a in reliability(model, xc, cy):
        print(f"[{lo:.3f}, {hi:.3f})  {n:6d}  {c:.4f}           {a:.4f}", flush=True)
    torch.save(model.state_dict(), state_path)
    export(model, args.out)


if __name__ == "__main__":
    main()

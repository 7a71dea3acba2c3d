"""Procedural number cells for the cell recognizer: pen-stroke and MNIST digits written as whole
strings into a cell the way tally-form cells look after the reader's crop (row rules, the column
rule, a dotted baseline, the "(" that opens the words), with far more varied handwriting than the
form generator: slant, stroke width, pressure, elastic wobble, touching and overlapping digits,
cursive 4/9, 1/7 and 5/6 shapes, dashes, crossed-out values, digits past the cell edge, dotted
lines through the ink, neighbours' strokes at the edges and bleed-through.

Output rasters match src/local/recognize/cell-image.ts: CELL_H x CELL_W floats, ink = 1, the
cell scaled to CELL_H rows and placed at the left. Each cell is drawn at twice that size and
area-averaged down, then contrast-stretched with the same percentiles as cellInput."""
import glob
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from stroke_digits import VARIANTS, _smooth

CELL_H, CELL_W = 32, 128
SCALE = 2
H2 = CELL_H * SCALE


def _extra_variants():
    """Cursive shapes that real hands use and that mislead: a closed 4 near a 9, a 9 with a
    straight tail near a 4, a 7 with a long flag near a 1, a 1 with a long flag near a 7, a 5
    whose belly closes near a 6, a 6 with an open loop near a 5."""
    pi = math.pi
    arc = lambda cx, cy, rx, ry, a0, a1, n=12: [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in np.linspace(a0, a1, n)]
    extra = {d: [] for d in range(10)}
    extra[4].append([[(0.45, 0.0), (0.12, 0.45), (0.08, 0.6), (0.6, 0.6)], [(0.42, 0.02), (0.45, 1.0)]])
    extra[4].append([[(0.1, 0.0), (0.08, 0.5), (0.55, 0.5)], [(0.15, 0.05), (0.5, 0.02), (0.52, 0.5), (0.48, 1.0)]])
    extra[9].append([arc(0.3, 0.25, 0.24, 0.24, 0, 2 * pi, 14), [(0.54, 0.25), (0.5, 1.0)]])
    extra[9].append([arc(0.3, 0.28, 0.25, 0.26, -0.3, 2 * pi - 0.3, 14) + [(0.52, 0.6), (0.4, 1.0)]])
    extra[7].append([[(0.0, 0.15), (0.1, 0.0), (0.55, 0.02), (0.3, 0.55), (0.22, 1.0)], [(0.12, 0.5), (0.45, 0.5)]])
    extra[7].append([[(0.05, 0.05), (0.55, 0.0), (0.35, 1.0)]])
    extra[1].append([[(0.0, 0.35), (0.2, 0.12), (0.38, 0.0), (0.33, 0.5), (0.3, 1.0)]])
    extra[5].append([[(0.55, 0.0), (0.12, 0.02), (0.1, 0.42), (0.4, 0.4), (0.58, 0.68), (0.4, 0.98), (0.1, 0.9), (0.15, 0.6)]])
    extra[6].append([[(0.5, 0.02), (0.2, 0.3), (0.08, 0.7), (0.3, 1.0), (0.52, 0.8), (0.4, 0.55), (0.15, 0.62)]])
    extra[3].append([[(0.02, 0.15), (0.3, 0.0), (0.55, 0.2), (0.3, 0.45), (0.58, 0.7), (0.35, 1.0), (0.0, 0.85)]])
    extra[8].append([arc(0.3, 0.25, 0.2, 0.23, pi / 2, 2.5 * pi, 12) + arc(0.3, 0.73, 0.25, 0.26, -pi / 2, 1.5 * pi, 12)])
    extra[2].append([[(0.05, 0.2), (0.3, 0.0), (0.55, 0.2), (0.05, 1.0), (0.6, 0.95)]])
    extra[0].append([arc(0.3, 0.5, 0.25, 0.5, -pi / 2, 1.5 * pi + 0.5, 16)])
    return extra


ALL_VARIANTS = {d: VARIANTS[d] + _extra_variants()[d] for d in range(10)}
THAI_FONTS = sorted(glob.glob("/usr/share/fonts/truetype/tlwg/*.ttf"))
THAI_TEXT = "พรรคเพื่อไทยภูมิใจประชาชนก้าวไกลรวมไทยสร้างชาติประชาธิปัตย์พลังประชารัฐชาติพัฒนา"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"


def stroke_glyph(digit, rng, pen):
    """One pen-drawn digit as an ink crop (float, ink = 1), about 100 px tall."""
    strokes = ALL_VARIANTS[digit][rng.integers(len(ALL_VARIANTS[digit]))]
    size = 128
    height = 100
    width = height * rng.uniform(0.75, 1.3)
    slant = rng.uniform(-0.35, 0.15)
    jitter = rng.uniform(0.01, 0.06)
    img = Image.new("L", (size + 60, size + 20), 0)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = [(x + rng.normal(0, jitter), y + rng.normal(0, jitter)) for x, y in stroke]
        pts = [(30 + (x - slant * (y - 0.5)) * width, 10 + y * height) for x, y in _smooth(pts)]
        draw.line(pts, fill=255, width=pen, joint="curve")
        r = pen / 2
        for px, py in (pts[0], pts[-1]):
            draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    return _crop_ink(np.asarray(img, dtype=np.float32) / 255.0)


def _crop_ink(a):
    ys, xs = np.nonzero(a > 0.2)
    if len(xs) == 0:
        return a[:4, :4]
    return a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def font_glyph(ch, font_path, rng):
    font = ImageFont.truetype(font_path, 90)
    img = Image.new("L", (160, 160), 0)
    draw = ImageDraw.Draw(img)
    draw.text((30, 10), ch, fill=255, font=font, stroke_width=int(rng.integers(0, 4)), stroke_fill=255)
    return _crop_ink(np.asarray(img, dtype=np.float32) / 255.0)


class CellSynth:
    def __init__(self, mnist, seed):
        self.rng = np.random.default_rng(seed)
        self.mnist = {d: [img for lab, img in mnist if lab == d] for d in range(10)}

    def glyph(self, ch, pen):
        rng = self.rng
        if ch == "-":
            length = rng.uniform(40, 130)
            a = np.zeros((30, int(length) + 10), np.float32)
            im = Image.fromarray(a)
            d = ImageDraw.Draw(im)
            bend = rng.uniform(-5, 5)
            pts = [(5 + t * length, 15 + bend * (1 - 4 * (t - 0.5) ** 2) + rng.uniform(-3, 3) * t) for t in np.linspace(0, 1, 5)]
            d.line(pts, fill=1.0, width=pen, joint="curve")
            return np.asarray(im, np.float32), "dash"
        digit = int(ch)
        r = rng.random()
        if r < 0.35 and self.mnist[digit]:
            img = self.mnist[digit][rng.integers(len(self.mnist[digit]))]
            im = Image.fromarray((img * 255).astype(np.uint8)).resize((112, 112), Image.BILINEAR)
            return _crop_ink(np.asarray(im, np.float32) / 255.0), "digit"
        if r < 0.42 and THAI_FONTS:
            # Thai digits written by a few officials (the generator draws them too).
            return font_glyph(THAI_DIGITS[digit], THAI_FONTS[rng.integers(len(THAI_FONTS))], rng), "digit"
        return stroke_glyph(digit, rng, pen), "digit"

    def label(self):
        rng = self.rng
        r = rng.random()
        if r < 0.07:
            return ""
        if r < 0.14:
            return "-"
        if r < 0.24:
            return "0"
        n = rng.choice([1, 2, 3, 4], p=[0.3, 0.32, 0.28, 0.1])
        first = str(rng.integers(1, 10))
        return first + "".join(str(rng.integers(0, 10)) for _ in range(n - 1))

    def cell(self):
        """One (raster, label) pair."""
        rng = self.rng
        text = self.label()
        width = int(rng.uniform(0.45, 1.0) * CELL_W * SCALE)
        ink = np.zeros((H2, width), np.float32)
        printed = np.zeros((H2, width), np.float32)
        pitch = H2 / 1.24
        top = int(round(pitch * 0.12 + rng.normal(0, 2)))
        bottom = int(round(H2 - pitch * 0.12 + rng.normal(0, 2)))
        totals_like = rng.random() < 0.25
        p = Image.fromarray(printed)
        d = ImageDraw.Draw(p)
        rule = int(pitch * 0.5 - 6 + rng.normal(0, 4))
        if not totals_like:
            for y in (top, bottom):
                if rng.random() < 0.85:
                    self._rule(d, 0, y, width, y, rng)
            if rng.random() < 0.8:
                self._rule(d, rule, 0, rule, H2, rng)
        baseline = int(top + (bottom - top) * rng.uniform(0.62, 0.82)) if not totals_like else int(H2 * rng.uniform(0.7, 0.85))
        paren = width - int(pitch * 0.15) - int(rng.uniform(0, 8))
        if rng.random() < 0.9:
            step = rng.uniform(5, 9)
            x = rule + rng.uniform(4, 12)
            dot = rng.uniform(1.2, 2.6)
            while x < paren - 6:
                if rng.random() > 0.05:
                    d.ellipse((x, baseline - dot / 2, x + dot, baseline + dot / 2), fill=rng.uniform(0.5, 1.0))
                x += step
        if rng.random() < 0.7 and THAI_FONTS:
            font = ImageFont.truetype(THAI_FONTS[rng.integers(len(THAI_FONTS))], int(rng.uniform(26, 40)))
            d.text((paren - 4, baseline - 34), "(", fill=1.0, font=font)
        if rng.random() < 0.3 and THAI_FONTS:
            # The end of the printed party name or words left of the rule.
            font = ImageFont.truetype(THAI_FONTS[rng.integers(len(THAI_FONTS))], int(rng.uniform(24, 34)))
            start = int(rng.integers(0, len(THAI_TEXT) - 6))
            d.text((rule - rng.uniform(40, 90), baseline - 30), THAI_TEXT[start:start + 6], fill=1.0, font=font)
        printed = np.asarray(p, np.float32)

        pen = int(rng.integers(3, 11))
        height = pitch * rng.uniform(0.42, 0.85)
        cursor = rule + rng.uniform(-0.15, 0.6) * pitch if rng.random() > 0.08 else rule - rng.uniform(0.1, 0.4) * pitch
        if text and rng.random() < 0.06:
            cursor = self._struck_value(ink, cursor, baseline, height, pen)
        spacing = rng.normal(0.12, 0.15)
        for ch in text:
            g, kind = self.glyph(ch, pen)
            if kind == "dash":
                h = max(2, int(g.shape[0] * height / 100))
                w = max(4, int(g.shape[1] * height / 100))
                y = int(baseline - height * rng.uniform(0.3, 0.7)) - h // 2
            else:
                h = max(6, int(height * rng.uniform(0.9, 1.1)))
                w = max(3, int(g.shape[1] * h / max(1, g.shape[0]) * rng.uniform(0.8, 1.2)))
                y = int(baseline - h + rng.normal(1, 3))
            gi = np.asarray(Image.fromarray(g).resize((w, h), Image.BILINEAR), np.float32)
            self._paste(ink, gi, int(cursor), y)
            cursor += w + spacing * height + rng.normal(0, 0.05 * height)
        if rng.random() < 0.15:
            self._neighbour_strokes(ink, rng)

        ink = self._elastic(np.clip(ink, 0, 1))
        if rng.random() < 0.3:
            ink = np.asarray(Image.fromarray((ink * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(3)), np.float32) / 255
        # Pressure: the pen fades along a smooth field.
        field = self._smooth_field(ink.shape, rng.uniform(0.5, 1.0), rng.uniform(0.0, 0.5))
        ink = ink * field
        gray_paper = rng.uniform(200, 250)
        darkness = rng.uniform(90, 200)
        print_dark = rng.uniform(100, 220)
        gray = gray_paper - np.maximum(ink * darkness, printed * print_dark)
        if rng.random() < 0.15:
            # Bleed-through: faint mirrored writing from the back of the sheet.
            back = np.flip(self._random_marks(ink.shape), axis=1)
            gray = gray - back * rng.uniform(8, 28)
        gray = gray + rng.normal(0, rng.uniform(0, 8), gray.shape)
        im = Image.fromarray(np.clip(gray, 0, 255).astype(np.uint8))
        if rng.random() < 0.6:
            im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.3)))
        im = im.resize((max(1, width // SCALE), CELL_H), Image.BOX)
        return normalize(np.asarray(im, np.uint8)), text

    def _rule(self, d, x0, y0, x1, y1, rng):
        faint = rng.uniform(0.35, 1.0)
        if rng.random() < 0.25:
            # A broken or faint rule: dashes of line with gaps.
            n = 8
            for i in range(n):
                if rng.random() < 0.6:
                    t0, t1 = i / n, (i + 0.7) / n
                    d.line((x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0, x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1), fill=faint, width=2)
        else:
            d.line((x0, y0, x1, y1), fill=faint, width=int(rng.integers(2, 4)))

    def _paste(self, canvas, g, x, y):
        h, w = g.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
        if x1 <= x0 or y1 <= y0:
            return
        region = canvas[y0:y1, x0:x1]
        canvas[y0:y1, x0:x1] = np.maximum(region, g[y0 - y:y1 - y, x0 - x:x1 - x])

    def _struck_value(self, ink, cursor, baseline, height, pen):
        rng = self.rng
        start = cursor
        for _ in range(int(rng.integers(1, 4))):
            g, _ = self.glyph(str(rng.integers(0, 10)), pen)
            h = int(height * 0.8)
            w = max(3, int(g.shape[1] * h / max(1, g.shape[0])))
            self._paste(ink, np.asarray(Image.fromarray(g).resize((w, h)), np.float32), int(cursor), int(baseline - h))
            cursor += w + 0.1 * height
        im = Image.fromarray(ink)
        d = ImageDraw.Draw(im)
        y = baseline - height * rng.uniform(0.3, 0.6)
        d.line((start - 4, y + rng.uniform(-4, 4), cursor + 2, y + rng.uniform(-6, 2)), fill=1.0, width=pen)
        ink[:] = np.asarray(im, np.float32)
        return cursor + height * rng.uniform(0.2, 0.5)

    def _neighbour_strokes(self, ink, rng):
        """Tails of the rows above and below reaching into the crop."""
        im = Image.fromarray(ink)
        d = ImageDraw.Draw(im)
        for _ in range(int(rng.integers(1, 3))):
            x = rng.uniform(0, ink.shape[1])
            y = rng.choice([rng.uniform(-10, 6), rng.uniform(H2 - 6, H2 + 10)])
            d.line((x, y, x + rng.uniform(-20, 20), y + rng.uniform(-12, 12)), fill=1.0, width=int(rng.integers(2, 6)))
        ink[:] = np.asarray(im, np.float32)

    def _random_marks(self, shape):
        rng = self.rng
        marks = np.zeros(shape, np.float32)
        x = rng.uniform(0, shape[1] * 0.5)
        for ch in str(rng.integers(1, 1000)):
            g, _ = self.glyph(ch, int(rng.integers(3, 8)))
            h = int(shape[0] * rng.uniform(0.4, 0.7))
            w = max(3, int(g.shape[1] * h / max(1, g.shape[0])))
            self._paste(marks, np.asarray(Image.fromarray(g).resize((w, h)), np.float32), int(x), int(rng.uniform(0, shape[0] - h)))
            x += w + 4
        return marks

    def _smooth_field(self, shape, low, spread):
        rng = self.rng
        coarse = rng.uniform(low, min(1.0, low + spread + 0.01), (3, 5)).astype(np.float32)
        im = Image.fromarray(coarse).resize((shape[1], shape[0]), Image.BILINEAR)
        return np.asarray(im, np.float32)

    def _elastic(self, ink):
        """A smooth random displacement of the whole cell's ink."""
        rng = self.rng
        h, w = ink.shape
        amp = rng.uniform(0, 3.5)
        dx = np.asarray(Image.fromarray(rng.normal(0, 1, (4, 8)).astype(np.float32)).resize((w, h), Image.BICUBIC)) * amp
        dy = np.asarray(Image.fromarray(rng.normal(0, 1, (4, 8)).astype(np.float32)).resize((w, h), Image.BICUBIC)) * amp
        ys, xs = np.mgrid[0:h, 0:w]
        sx = np.clip(np.round(xs + dx).astype(int), 0, w - 1)
        sy = np.clip(np.round(ys + dy).astype(int), 0, h - 1)
        return ink[sy, sx]


def normalize(gray):
    """cellInput's contrast stretch and placement (see cell-image.ts)."""
    flat = np.sort(gray.reshape(-1))
    n = flat.size
    paper = float(flat[min(n - 1, int(math.floor(n * 0.7)))])
    darkest = float(flat[min(n - 1, int(math.floor(n * 0.01)))])
    span = max(60.0, paper - darkest)
    ink = np.clip((paper - gray.astype(np.float32)) / span, 0, 1)
    out = np.zeros((CELL_H, CELL_W), np.float32)
    w = min(CELL_W, ink.shape[1])
    out[:, :w] = ink[:, :w]
    return out

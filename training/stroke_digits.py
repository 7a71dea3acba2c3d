"""Pen-stroke digit generator: each digit is drawn as smooth strokes through jittered control
points, in the shape variants seen on real tally forms (see REAL-FORMS "Digit shapes that
mislead"): 1 with a flag and/or a base, open and closed 4, S-like and flagged 5, crossed or
curled 7, flat-top 3, barred 0, looped and straight-tailed 9. Coordinates are in a unit box
(x right, y down); the caller augments and binarises the result like any other source."""
import math

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 128


def _arc(cx, cy, rx, ry, a0, a1, n=10):
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in np.linspace(a0, a1, n)]


def _variants():
    """digit -> list of variants; a variant is a list of strokes (lists of (x, y))."""
    pi = math.pi
    v = {d: [] for d in range(10)}
    # 0: oval, barred oval, small open-top oval
    v[0].append([_arc(0.3, 0.5, 0.28, 0.48, -pi / 2, 1.5 * pi + 0.2, 16)])
    v[0].append([_arc(0.3, 0.5, 0.28, 0.48, -pi / 2, 1.5 * pi + 0.2, 16), [(0.1, 0.8), (0.5, 0.2)]])
    v[0].append([_arc(0.3, 0.5, 0.28, 0.48, -pi / 2, 1.5 * pi + 0.2, 16), [(0.05, 0.5), (0.55, 0.5)]])
    v[0].append([_arc(0.3, 0.5, 0.3, 0.45, -pi / 2 + 0.4, 1.5 * pi - 0.2, 14)])
    # 1: bar; short flag; long flag; flag + base; hook
    v[1].append([[(0.32, 0.0), (0.3, 0.5), (0.28, 1.0)]])
    v[1].append([[(0.12, 0.22), (0.32, 0.0), (0.3, 0.5), (0.29, 1.0)]])
    v[1].append([[(0.0, 0.3), (0.15, 0.15), (0.34, 0.0), (0.31, 0.5), (0.3, 1.0)]])
    v[1].append([[(0.12, 0.2), (0.32, 0.0), (0.3, 0.5), (0.29, 1.0)], [(0.08, 1.0), (0.52, 1.0)]])
    v[1].append([[(0.32, 0.0), (0.3, 0.5), (0.29, 1.0)], [(0.1, 1.0), (0.5, 1.0)]])
    v[1].append([[(0.05, 0.12), (0.22, 0.0), (0.34, 0.05), (0.32, 0.5), (0.3, 1.0)]])
    # 2: classic; looped bottom; curved diagonal
    v[2].append([[(0.05, 0.25), (0.2, 0.03), (0.42, 0.02), (0.55, 0.22), (0.45, 0.5), (0.05, 0.98), (0.6, 0.98)]])
    v[2].append([[(0.05, 0.25), (0.25, 0.0), (0.52, 0.15), (0.45, 0.45), (0.1, 0.92), (0.05, 0.82), (0.2, 0.85), (0.6, 0.98)]])
    v[2].append([[(0.02, 0.2), (0.3, 0.0), (0.56, 0.2), (0.5, 0.45), (0.2, 0.75), (0.02, 1.0), (0.35, 0.95), (0.62, 1.0)]])
    # 3: two bumps; flat top; rounder
    v[3].append([[(0.05, 0.12), (0.3, 0.0), (0.52, 0.15), (0.45, 0.38), (0.25, 0.47), (0.5, 0.58), (0.56, 0.8), (0.35, 1.0), (0.03, 0.88)]])
    v[3].append([[(0.05, 0.0), (0.56, 0.0), (0.25, 0.4), (0.5, 0.52), (0.58, 0.78), (0.35, 1.0), (0.03, 0.88)]])
    v[3].append([[(0.02, 0.2), (0.2, 0.0), (0.48, 0.05), (0.5, 0.3), (0.22, 0.48), (0.55, 0.62), (0.5, 0.92), (0.2, 1.0), (0.0, 0.8)]])
    # 4: closed triangle; open "Ч"; open with crossing
    v[4].append([[(0.45, 1.0), (0.45, 0.0), (0.02, 0.66), (0.62, 0.66)]])
    v[4].append([[(0.1, 0.0), (0.05, 0.6), (0.62, 0.6)], [(0.48, 0.15), (0.47, 1.0)]])
    v[4].append([[(0.12, 0.0), (0.02, 0.62), (0.6, 0.6)], [(0.45, 0.0), (0.44, 1.0)]])
    # 5: flag separate; one stroke; S-like; closed low loop
    v[5].append([[(0.12, 0.0), (0.08, 0.45), (0.35, 0.38), (0.56, 0.6), (0.5, 0.9), (0.25, 1.0), (0.02, 0.88)], [(0.12, 0.0), (0.55, 0.0)]])
    v[5].append([[(0.55, 0.0), (0.12, 0.0), (0.08, 0.45), (0.35, 0.38), (0.56, 0.62), (0.45, 0.95), (0.02, 0.9)]])
    v[5].append([[(0.55, 0.05), (0.3, 0.0), (0.08, 0.15), (0.12, 0.4), (0.45, 0.55), (0.55, 0.8), (0.3, 1.0), (0.02, 0.9)]])
    v[5].append([[(0.15, 0.0), (0.1, 0.45), (0.4, 0.4), (0.58, 0.7), (0.4, 0.98), (0.05, 0.9)], [(0.17, 0.0), (0.6, -0.02)]])
    # 6
    v[6].append([[(0.5, 0.02), (0.2, 0.3), (0.05, 0.7), (0.25, 1.0), (0.52, 0.85), (0.48, 0.55), (0.2, 0.55), (0.07, 0.72)]])
    v[6].append([[(0.45, 0.0), (0.15, 0.4), (0.05, 0.75), (0.3, 1.0), (0.55, 0.78), (0.35, 0.5), (0.08, 0.65)]])
    # 7: plain; crossed; curled top; curved stem
    v[7].append([[(0.0, 0.02), (0.6, 0.0), (0.22, 1.0)]])
    v[7].append([[(0.0, 0.02), (0.6, 0.0), (0.22, 1.0)], [(0.15, 0.5), (0.55, 0.48)]])
    v[7].append([[(0.0, 0.15), (0.08, 0.0), (0.3, 0.05), (0.6, 0.0), (0.4, 0.45), (0.25, 1.0)]])
    v[7].append([[(0.0, 0.05), (0.58, 0.0), (0.4, 0.35), (0.3, 0.7), (0.28, 1.0)]])
    # 8: figure eight; two stacked loops
    v[8].append([[(0.5, 0.12), (0.3, 0.0), (0.08, 0.15), (0.15, 0.38), (0.45, 0.6), (0.55, 0.85), (0.3, 1.0), (0.05, 0.85), (0.15, 0.6), (0.45, 0.38), (0.52, 0.15)]])
    v[8].append([_arc(0.3, 0.25, 0.2, 0.24, 0, 2 * pi, 12), _arc(0.3, 0.74, 0.26, 0.26, -pi / 2, 1.5 * pi, 12)])
    # 9: loop + straight stem; loop + curved tail
    v[9].append([_arc(0.3, 0.27, 0.26, 0.26, 0.1, 2 * pi + 0.1, 14) + [(0.55, 0.6), (0.5, 1.0)]])
    v[9].append([_arc(0.3, 0.27, 0.26, 0.26, 0.1, 2 * pi + 0.1, 14) + [(0.52, 0.7), (0.35, 1.0), (0.1, 0.92)]])
    v[9].append([_arc(0.3, 0.25, 0.25, 0.24, -0.2, 2 * pi, 14), [(0.55, 0.2), (0.5, 0.6), (0.4, 1.0)]])
    return v


VARIANTS = _variants()


def _smooth(points, steps=8):
    """Catmull-Rom spline through the points."""
    if len(points) < 3:
        return points
    p = [points[0]] + points + [points[-1]]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        for t in np.linspace(0, 1, steps, endpoint=False):
            t2, t3 = t * t, t * t * t
            out.append(tuple(0.5 * ((2 * p1[k]) + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2
                                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3) for k in range(2)))
    out.append(points[-1])
    return out


def render_stroke_digit(digit, rng):
    """One pen-drawn digit on a 128x128 ink canvas (float, ink = 1)."""
    strokes = rng.choice(VARIANTS[digit])
    height = rng.uniform(60, 95)
    width = height * rng.uniform(0.8, 1.25)
    slant = rng.uniform(-0.25, 0.1)
    jitter = rng.uniform(0.015, 0.05)
    x0 = CANVAS / 2 - width * 0.3
    y0 = CANVAS / 2 - height / 2
    img = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(img)
    pen = int(rng.uniform(3, 10))
    for stroke in strokes:
        pts = [(x + rng.gauss(0, jitter), y + rng.gauss(0, jitter)) for x, y in stroke]
        pts = [(x0 + (x - slant * (y - 0.5)) * width, y0 + y * height) for x, y in _smooth(pts)]
        draw.line(pts, fill=255, width=pen, joint="curve")
        r = pen / 2
        for px, py in (pts[0], pts[-1]):
            draw.ellipse((px - r, py - r, px + r, py + r), fill=255)
    return np.asarray(img, dtype=np.float32) / 255.0

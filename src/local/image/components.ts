import type { BinaryImage } from "./gray-image.js";

/** A connected component of ink (8-connectivity). */
export interface Component {
  /** Label in the label map (1-based). */
  readonly label: number;
  readonly x0: number;
  readonly y0: number;
  /** Exclusive. */
  readonly x1: number;
  /** Exclusive. */
  readonly y1: number;
  readonly area: number;
}

export interface ComponentMap {
  readonly width: number;
  readonly height: number;
  /** 0 = background, otherwise the component's label. */
  readonly labels: Int32Array;
  readonly components: readonly Component[];
}

/** Labels the 8-connected ink components of a binary image with a flood fill. */
export function findComponents(image: BinaryImage): ComponentMap {
  const { width, height, data } = image;
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack = new Int32Array(width * height);
  let next = 1;
  for (let start = 0; start < data.length; start++) {
    if (!data[start] || labels[start]) continue;
    const label = next++;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let x0 = width;
    let y0 = height;
    let x1 = 0;
    let y1 = 0;
    let area = 0;
    while (top > 0) {
      const index = stack[--top]!;
      const x = index % width;
      const y = (index - x) / width;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const n = ny * width + nx;
          if (data[n] && !labels[n]) {
            labels[n] = label;
            stack[top++] = n;
          }
        }
      }
    }
    components.push({ label, x0, y0, x1: x1 + 1, y1: y1 + 1, area });
  }
  return { width, height, labels, components };
}

import { type ChartConfiguration, Chart, type Plugin, registerables } from "chart.js";
import { PdfCanvas } from "./pdf-canvas.js";
import { type PdfReport, pdfSafeLine } from "./pdf-report.js";

export interface BarChartSpec {
  readonly title: string;
  readonly labels: readonly string[];
  readonly values: readonly number[];
  /** One colour per bar, or one for all. */
  readonly colors?: readonly string[] | string;
  readonly horizontal?: boolean;
  /** The layout size in pixels (default 1200 × 600); the chart is scaled to the width it is given in the PDF. */
  readonly width?: number;
  readonly height?: number;
  /** Axis title under the values. */
  readonly valueLabel?: string;
  /** Tick label size in pixels (default 20); raise it for charts printed small. */
  readonly fontSize?: number;
}

/** Size of the value labels for the chart being drawn (charts are drawn one at a time). */
let valueFontSize = 20;
let registered = false;

function setUp(): void {
  if (registered) return;
  Chart.register(...registerables);
  // The family name only reaches the canvas adapter, which draws with the document's Thai fonts.
  Chart.defaults.font.family = "sans-serif";
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  Chart.defaults.color = "#222";
  registered = true;
}

/** Write each bar's value at its end, so the chart can be read without the grid. */
const valueLabels: Plugin<"bar"> = {
  id: "valueLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === "y";
    ctx.save();
    ctx.fillStyle = "#222";
    ctx.font = `${valueFontSize}px sans-serif`;
    const data = chart.data.datasets[0]?.data ?? [];
    chart.getDatasetMeta(0).data.forEach((bar, i) => {
      const value = data[i];
      if (typeof value !== "number") return;
      const text = value.toLocaleString("en-US");
      if (horizontal) {
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(text, bar.x + 8, bar.y);
      } else {
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(text, bar.x, bar.y - 6);
      }
    });
    ctx.restore();
  },
};

const FONT_STATE = ["_font", "_fontSize", "_fontSource", "_fontFamily"] as const;

/**
 * Draw a bar chart into the PDF as vectors and text (chart.js lays it out on a PdfCanvas), its
 * top-left corner at (x, y) and `width` points wide. Returns its height in points.
 */
export function drawBarChart(report: PdfReport, spec: BarChartSpec, at: { x: number; y: number; width: number }): number {
  setUp();
  const width = spec.width ?? 1200;
  const height = spec.height ?? 600;
  const scale = at.width / width;
  const { doc } = report;
  const canvas = new PdfCanvas(doc, {
    width,
    height,
    x: at.x,
    y: at.y,
    scale,
    fonts: { regular: "thai", bold: "thai-bold" },
    mapText: pdfSafeLine,
  });
  const horizontal = spec.horizontal ?? false;
  const max = Math.max(1, ...spec.values);
  const fontSize = spec.fontSize ?? 20;
  valueFontSize = fontSize;
  const config: ChartConfiguration<"bar"> = {
    type: "bar",
    data: {
      labels: [...spec.labels],
      datasets: [
        {
          data: [...spec.values],
          backgroundColor: typeof spec.colors === "string" ? spec.colors : [...(spec.colors ?? ["#3b6ea8"])],
          borderWidth: 0,
        },
      ],
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      layout: { padding: { top: 10, right: horizontal ? 90 : 20, left: 10, bottom: 10 } },
      plugins: {
        title: { display: true, text: spec.title, font: { size: Math.round(fontSize * 1.5), weight: "bold" }, padding: { bottom: 20 } },
        legend: { display: false },
      },
      scales: {
        [horizontal ? "x" : "y"]: {
          beginAtZero: true,
          suggestedMax: max * (horizontal ? 1.05 : 1.12),
          ticks: { font: { size: fontSize }, precision: 0 },
          title: { display: spec.valueLabel !== undefined, text: spec.valueLabel ?? "", font: { size: fontSize } },
        },
        [horizontal ? "y" : "x"]: { ticks: { font: { size: Math.round(fontSize * 1.1) }, autoSkip: false }, grid: { display: false } },
      },
    },
    plugins: [valueLabels],
  };
  // Text drawing moves pdfkit's cursor and changes its font; the report's flow continues as it was.
  const { x: docX, y: docY } = doc;
  // pdfkit has no public getter for the current font; these are the fields its font() and fontSize() set.
  const fontState = doc as unknown as Record<(typeof FONT_STATE)[number], unknown>;
  const savedFont = FONT_STATE.map((key) => fontState[key]);
  doc.save();
  let chart: { destroy(): void } | undefined;
  try {
    // chart.js types its canvas as the DOM's; it calls only the part PdfCanvas implements.
    chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  } finally {
    chart?.destroy();
    canvas.getContext("2d")?.closeAll();
    doc.restore();
    doc.x = docX;
    doc.y = docY;
    FONT_STATE.forEach((key, i) => {
      fontState[key] = savedFont[i];
    });
  }
  return height * scale;
}

/** Place a bar chart in the report's flow at `width` points (default: the content width), centred. */
export function placeBarChart(report: PdfReport, spec: BarChartSpec, width = report.width): void {
  const height = ((spec.height ?? 600) * width) / (spec.width ?? 1200);
  report.ensureSpace(height + 6);
  drawBarChart(report, spec, { x: report.left + (report.width - width) / 2, y: report.doc.y, width });
  report.doc.y += height + 6;
}

import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import { type ChartConfiguration, Chart, type Plugin, registerables } from "chart.js";
import type { ThaiFonts } from "./thai-fonts.js";

export interface BarChartSpec {
  readonly title: string;
  readonly labels: readonly string[];
  readonly values: readonly number[];
  /** One colour per bar, or one for all. */
  readonly colors?: readonly string[] | string;
  readonly horizontal?: boolean;
  /** Pixels; the PNG is placed scaled down in the PDF, so render at about 2× the printed size. */
  readonly width?: number;
  readonly height?: number;
  /** Axis title under the values. */
  readonly valueLabel?: string;
  /** Tick label size in pixels (default 20); raise it for charts printed small. */
  readonly fontSize?: number;
}

let registeredFamily: string | null = null;
/** Size of the value labels for the chart being drawn (charts render one at a time). */
let valueFontSize = 20;

function setUp(fonts: ThaiFonts): void {
  if (registeredFamily === fonts.family) return;
  Chart.register(...registerables);
  GlobalFonts.registerFromPath(fonts.regular, fonts.family);
  if (fonts.bold !== fonts.regular) GlobalFonts.registerFromPath(fonts.bold, fonts.family);
  Chart.defaults.font.family = `'${fonts.family}', sans-serif`;
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  Chart.defaults.color = "#222";
  registeredFamily = fonts.family;
}

/** The canvas is transparent; PDF viewers show that as white, but image viewers do not. */
const whiteBackground: Plugin = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** Write each bar's value at its end, so the chart can be read without the grid. */
const valueLabels: Plugin<"bar"> = {
  id: "valueLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === "y";
    ctx.save();
    ctx.fillStyle = "#222";
    ctx.font = `${valueFontSize}px '${registeredFamily ?? "sans-serif"}'`;
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

/** Render a bar chart to PNG with chart.js on @napi-rs/canvas. */
export async function renderBarChart(fonts: ThaiFonts, spec: BarChartSpec): Promise<Buffer> {
  setUp(fonts);
  const width = spec.width ?? 1200;
  const height = spec.height ?? 600;
  const canvas = createCanvas(width, height);
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
    plugins: [whiteBackground, valueLabels],
  };
  // chart.js types its context as the DOM's; @napi-rs/canvas implements the same drawing API.
  const chart = new Chart(canvas.getContext("2d") as unknown as ConstructorParameters<typeof Chart>[0], config);
  try {
    return await canvas.encode("png");
  } finally {
    chart.destroy();
  }
}

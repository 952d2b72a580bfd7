/**
 * A horizontal bar chart as SVG text, with no chart library: one block of bars per group, each
 * group scaled to its own longest bar, every bar labelled with its value.
 */

export interface Bar {
  label: string;
  value: number;
  /** What is written after the bar; default: the value. */
  text?: string;
  /** Drawn in the highlight colour. */
  ours?: boolean;
  /** A reference rather than a contender (a floor): drawn hollow, dashed. */
  floor?: boolean;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

export interface Chart {
  title: string;
  subtitle?: string;
  groups: BarGroup[];
  /** A line under the chart: how it was measured. */
  note?: string;
}

const WIDTH = 760;
const LABEL_W = 250;
const BAR_W = 360;
const BAR_H = 18;
const GAP = 6;
const FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'";

export function barChart(chart: Chart): string {
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x='16' y='${y}' font-size='17' font-weight='600' fill='#111827'>${esc(chart.title)}</text>`);
  if (chart.subtitle) {
    y += 20;
    parts.push(`<text x='16' y='${y}' font-size='12' fill='#4b5563'>${esc(chart.subtitle)}</text>`);
  }
  y += 14;
  for (const group of chart.groups) {
    y += 22;
    parts.push(`<text x='16' y='${y}' font-size='13' font-weight='600' fill='#111827'>${esc(group.title)}</text>`);
    y += 8;
    const max = Math.max(...group.bars.map((b) => b.value), Number.MIN_VALUE);
    for (const bar of group.bars) {
      const w = Math.max(1, Math.round((bar.value / max) * BAR_W));
      const paint = bar.ours ? `fill='#2563eb'` : bar.floor ? `fill='#f3f4f6' stroke='#6b7280' stroke-dasharray='4 3'` : `fill='#9ca3af'`;
      parts.push(
        `<text x='${LABEL_W - 8}' y='${y + BAR_H - 5}' font-size='12' text-anchor='end' fill='#1f2937'${bar.ours ? " font-weight='600'" : ''}>${esc(bar.label)}</text>`,
        `<rect x='${LABEL_W}' y='${y}' width='${w}' height='${BAR_H}' rx='2' ${paint}/>`,
        `<text x='${LABEL_W + w + 6}' y='${y + BAR_H - 5}' font-size='12' fill='#1f2937'>${esc(bar.text ?? String(bar.value))}</text>`,
      );
      y += BAR_H + GAP;
    }
  }
  if (chart.note) {
    y += 18;
    parts.push(`<text x='16' y='${y}' font-size='11' fill='#6b7280'>${esc(chart.note)}</text>`);
  }
  y += 14;
  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${WIDTH}' height='${y}' viewBox='0 0 ${WIDTH} ${y}' ${FONT}>`,
    `<rect width='100%' height='100%' fill='#ffffff'/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/**
 * Charts as SVG text, with no chart library. barChart: horizontal bars, one block of bars per group, each
 * group scaled to its own longest bar, every bar labelled with its value. gridChart: a table of
 * coloured verdict cells (bench/integrity.ts).
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
      const paint = bar.ours
        ? `fill='#2563eb'`
        : bar.floor
          ? `fill='#f3f4f6' stroke='#6b7280' stroke-dasharray='4 3'`
          : `fill='#9ca3af'`;
      parts.push(
        `<text x='${LABEL_W - 8}' y='${y + BAR_H - 5}' font-size='12' text-anchor='end' fill='#1f2937'${bar.ours ? " font-weight='600'" : ''}>${esc(bar.label)}</text>`,
        `<rect x='${LABEL_W}' y='${y}' width='${w}' height='${BAR_H}' rx='2' ${paint}/>`,
        `<text x='${LABEL_W + w + 6}' y='${y + BAR_H - 5}' font-size='12' fill='#1f2937'>${esc(bar.text ?? String(bar.value))}</text>`,
      );
      y += BAR_H + GAP;
    }
  }
  return svg(parts, y, chart.note, 18);
}

/** The SVG document: `parts` down to `y`, then the note (`gap` below them), on a white page. */
function svg(parts: string[], y: number, note: string | undefined, gap: number): string {
  if (note) {
    y += gap;
    parts.push(`<text x='16' y='${y}' font-size='11' fill='#6b7280'>${esc(note)}</text>`);
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

export type Tone = 'good' | 'safe' | 'bad' | 'none';

export interface GridCell {
  /** The cell's verdict, in bold. */
  text: string;
  /** A smaller second line: exit code, retries. */
  sub?: string;
  tone: Tone;
}

export interface GridSection {
  /** A heading above the section's rows. */
  title: string;
  rows: Array<{ label: string; cells: GridCell[] }>;
}

export interface Grid {
  title: string;
  subtitle?: string;
  /** Column headings; a `\n` starts a second line. */
  columns: string[];
  sections: GridSection[];
  /** What each tone means, drawn as a legend under the grid. */
  legend?: Partial<Record<Tone, string>>;
  note?: string;
}

const TONES: Record<Tone, { fill: string; text: string }> = {
  good: { fill: '#dcfce7', text: '#166534' },
  safe: { fill: '#dbeafe', text: '#1e40af' },
  bad: { fill: '#fee2e2', text: '#991b1b' },
  none: { fill: '#f3f4f6', text: '#4b5563' },
};

/** A table as SVG text: a label column, then one coloured cell per column, in sections. */
export function gridChart(grid: Grid): string {
  const labelW = 130;
  const cellW = Math.floor((WIDTH - 16 - labelW - 16) / grid.columns.length);
  const cellH = 38;
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x='16' y='${y}' font-size='17' font-weight='600' fill='#111827'>${esc(grid.title)}</text>`);
  if (grid.subtitle) {
    y += 20;
    parts.push(`<text x='16' y='${y}' font-size='12' fill='#4b5563'>${esc(grid.subtitle)}</text>`);
  }
  // A column heading may take two lines (`put\none part`).
  const headLines = Math.max(...grid.columns.map((c) => c.split('\n').length));
  y += 28;
  grid.columns.forEach((column, i) => {
    column.split('\n').forEach((line, k) => {
      parts.push(
        `<text x='${16 + labelW + i * cellW + cellW / 2}' y='${y + k * 15}' font-size='12'${k === 0 ? " font-weight='600'" : ''} text-anchor='middle' fill='#1f2937'>${esc(line)}</text>`,
      );
    });
  });
  y += (headLines - 1) * 15;
  for (const section of grid.sections) {
    y += 24;
    parts.push(`<text x='16' y='${y}' font-size='13' font-weight='600' fill='#111827'>${esc(section.title)}</text>`);
    y += 8;
    for (const row of section.rows) {
      parts.push(
        `<text x='${16 + labelW - 8}' y='${y + (cellH - 4) / 2 + 4}' font-size='12' text-anchor='end' fill='#1f2937'>${esc(row.label)}</text>`,
      );
      row.cells.forEach((cell, i) => {
        const x = 16 + labelW + i * cellW;
        const tone = TONES[cell.tone];
        parts.push(
          `<rect x='${x + 2}' y='${y}' width='${cellW - 4}' height='${cellH - 4}' rx='3' fill='${tone.fill}'/>`,
          `<text x='${x + cellW / 2}' y='${y + (cell.sub ? 15 : 22)}' font-size='13' font-weight='600' text-anchor='middle' fill='${tone.text}'>${esc(cell.text)}</text>`,
        );
        if (cell.sub)
          parts.push(
            `<text x='${x + cellW / 2}' y='${y + 29}' font-size='10' text-anchor='middle' fill='${tone.text}'>${esc(cell.sub)}</text>`,
          );
      });
      y += cellH;
    }
  }
  if (grid.legend) {
    y += 16;
    let x = 16;
    for (const [tone, meaning] of Object.entries(grid.legend) as Array<[Tone, string]>) {
      parts.push(
        `<rect x='${x}' y='${y - 10}' width='12' height='12' rx='2' fill='${TONES[tone].fill}' stroke='${TONES[tone].text}' stroke-width='0.5'/>`,
      );
      parts.push(`<text x='${x + 17}' y='${y}' font-size='11' fill='#374151'>${esc(meaning)}</text>`);
      x += 17 + meaning.length * 6 + 16;
      if (x > WIDTH - 150) {
        x = 16;
        y += 16;
      }
    }
  }
  return svg(parts, y, grid.note, 20);
}

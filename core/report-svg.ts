import type { FeatureDrift } from './types.js';

/*
 * Inline SVG charts for the delivery report page, and the escaping and value
 * formatting that the page shares with them. The charts reference no fonts,
 * images or other files, so the page renders offline. Coordinates are SVG user
 * units, which equal CSS pixels at the sizes used here.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or SVG element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** Formats a metric to 3 decimals, or as a dash when the value is missing or not finite. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(3);
}

/**
 * Formats a data value to 4 significant digits below 1,000 and as a grouped
 * integer from 1,000 up, so profile tables stay narrow without hiding the magnitude.
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

/** Formats an ISO timestamp as UTC to the second, or returns it as given when it does not parse. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Formats a duration in milliseconds, such as "850 ms", "1.2 s", "3 min 4 s" or
 * "2 h 5 min". From one minute up it shows the two largest units.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100) / 10;
  if (tenths < 60) return `${tenths.toFixed(1)} s`;

  const seconds = Math.round(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor(seconds / 3600) % 24;
  const minutes = Math.floor(seconds / 60) % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min ${seconds % 60} s`;
}

/** Formats a byte count with binary units, such as "512 B" or "1.5 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Formats a count with digit grouping, such as "1,000". */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** Formats a share in [0, 1] as a percentage with one decimal. */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

type Attributes = Record<string, string | number>;

/** Rounds a coordinate to 0.1 user unit to keep the markup short. */
function coordinate(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Builds one SVG element with escaped attribute values. `children` must already be markup. */
function element(name: string, attributes: Attributes, children = ''): string {
  const pairs = Object.entries(attributes).map(([key, value]) => {
    const text = typeof value === 'number' ? String(coordinate(value)) : value;
    return ` ${key}="${escapeHtml(text)}"`;
  });
  const open = `<${name}${pairs.join('')}`;
  return children === '' ? `${open}/>` : `${open}>${children}</${name}>`;
}

function label(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x, y, ...attributes }, escapeHtml(content));
}

function svg(width: number, height: number, description: string, children: string[]): string {
  const viewBox = `0 0 ${width} ${height}`;
  const attributes = { class: 'chart', width, height, viewBox, role: 'img' };
  return element('svg', { ...attributes, 'aria-label': description }, children.join(''));
}

function line(x1: number, y1: number, x2: number, y2: number, attributes: Attributes): string {
  return element('line', { x1, y1, x2, y2, ...attributes });
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Size of the ROC chart and its plot area, a square so that the chance diagonal runs at 45°. */
const ROC_PLOT = { width: 320, height: 200, left: 40, top: 10, size: 160 } as const;

const GRAY = '#8c959f';
const BLUE = '#0969da';
const RED = '#cf222e';
const BAR = '#4a78b5';
const DASHED = { 'stroke-dasharray': '4 3' };
const THICK = { 'stroke-width': 2 };
const MIDDLE = { 'text-anchor': 'middle' };
const END = { 'text-anchor': 'end' };

/**
 * Maps a ROC point to chart coordinates, rounded to 0.1. SVG y grows
 * downwards, so a TPR of 1 is at the top of the plot.
 */
export function rocCoordinates(point: { fpr: number; tpr: number }): { x: number; y: number } {
  const { left, top, size } = ROC_PLOT;
  const x = coordinate(left + clamp01(point.fpr) * size);
  return { x, y: coordinate(top + (1 - clamp01(point.tpr)) * size) };
}

/**
 * Draws a ROC curve with the chance diagonal, axes from 0 to 1 and a legend
 * that gives the model's AUC.
 */
export function rocChart(points: { fpr: number; tpr: number }[], auc: number): string {
  const { width, height, left, top, size } = ROC_PLOT;
  const bottom = top + size;
  const curve = points.map((point, i) => {
    const { x, y } = rocCoordinates(point);
    return `${i === 0 ? 'M' : 'L'}${x},${y}`;
  });

  return svg(width, height, `ROC curve, AUC ${formatMetric(auc)}`, [
    element('rect', { x: left, y: top, width: size, height: size, fill: 'none', stroke: GRAY }),
    ...rocTicks(),
    line(left, bottom, left + size, top, { stroke: GRAY, ...DASHED }),
    element('path', { class: 'roc', d: curve.join(' '), fill: 'none', stroke: BLUE, ...THICK }),
    label(left + size / 2, height - 4, 'False positive rate', MIDDLE),
    label(-(top + size / 2), 12, 'True positive rate', { transform: 'rotate(-90)', ...MIDDLE }),
    ...legendEntry(30, { stroke: BLUE }, 'Model', `AUC ${formatMetric(auc)}`),
    ...legendEntry(74, { stroke: GRAY, ...DASHED }, 'Chance', 'AUC 0.500'),
  ]);
}

function rocTicks(): string[] {
  const { left, top, size } = ROC_PLOT;
  const bottom = top + size;
  return [0, 0.5, 1].flatMap((tick) => [
    label(left + tick * size, bottom + 13, String(tick), MIDDLE),
    label(left - 4, bottom - tick * size + 3, String(tick), END),
  ]);
}

function legendEntry(y: number, stroke: Attributes, name: string, detail: string): string[] {
  const x = ROC_PLOT.left + ROC_PLOT.size + 14;
  return [
    line(x, y, x + 20, y, { ...THICK, ...stroke }),
    label(x + 26, y + 4, name),
    label(x + 26, y + 18, detail),
  ];
}

const HISTOGRAM = {
  width: 220,
  height: 110,
  left: 8,
  top: 6,
  plotWidth: 204,
  plotHeight: 78,
} as const;

/** Draws a small bar histogram of one numeric column with its lowest and highest bin edge. */
export function histogramChart(
  column: string,
  histogram: { edges: number[]; counts: number[] },
): string {
  const { width, height, left, top, plotWidth, plotHeight } = HISTOGRAM;
  const maxCount = Math.max(1, ...histogram.counts);
  const barWidth = plotWidth / Math.max(1, histogram.counts.length);
  const bottom = top + plotHeight;
  const bars = histogram.counts.map((count, i) => {
    const barHeight = (count / maxCount) * plotHeight;
    const title = `${binLabel(histogram.edges, i)}: ${count} rows`;
    const x = left + i * barWidth;
    const box = { x, y: bottom - barHeight, width: Math.max(1, barWidth - 1), height: barHeight };
    return element('rect', { ...box, fill: BAR }, element('title', {}, escapeHtml(title)));
  });
  const low = histogram.edges[0];
  const high = histogram.edges.at(-1);

  return svg(width, height, `Histogram of ${column}`, [
    ...bars,
    line(left, bottom, left + plotWidth, bottom, { stroke: '#57606a' }),
    low === undefined ? '' : label(left, bottom + 14, formatValue(low)),
    high === undefined ? '' : label(left + plotWidth, bottom + 14, formatValue(high), END),
    label(left + plotWidth / 2, height - 2, `max ${maxCount} rows per bin`, MIDDLE),
  ]);
}

function binLabel(edges: number[], index: number): string {
  const low = edges[index];
  const high = edges[index + 1];
  if (low === undefined || high === undefined) return `bin ${index + 1}`;
  return `${formatValue(low)} to ${formatValue(high)}`;
}

const PSI = {
  width: 320,
  labelRight: 110,
  barLeft: 116,
  barWidth: 150,
  valueRight: 316,
  top: 26,
  rowHeight: 18,
  bottom: 8,
} as const;
const PSI_LABEL_CHARS = 18;

/**
 * Draws one horizontal PSI bar per feature, highest first, with the values in
 * a column on the right and a dashed line at the alert threshold. Bars at or
 * over the threshold are red, matching the rule that raises a drift alert.
 */
export function psiChart(drift: FeatureDrift[], alertThreshold: number): string {
  const { width, barLeft, barWidth, top, rowHeight, bottom } = PSI;
  const sorted = [...drift].sort((a, b) => b.psi - a.psi);
  // Headroom keeps the threshold line and its label inside the chart.
  const scaleMax = Math.max(alertThreshold * 1.25, ...sorted.map((feature) => feature.psi));
  const height = top + sorted.length * rowHeight + bottom;
  const x = barLeft + (alertThreshold / scaleMax) * barWidth;

  return svg(width, height, 'PSI per feature', [
    ...sorted.map((feature, i) => psiRow(feature, top + i * rowHeight, scaleMax, alertThreshold)),
    line(x, top - 6, x, height - bottom, { class: 'threshold', stroke: RED, ...DASHED }),
    label(x, top - 10, `alert at ${formatValue(alertThreshold)}`, MIDDLE),
  ]);
}

function psiRow(feature: FeatureDrift, y: number, scaleMax: number, threshold: number): string {
  const { labelRight, barLeft, barWidth, valueRight, rowHeight } = PSI;
  const length = (Math.max(0, feature.psi) / scaleMax) * barWidth;
  const fill = feature.psi >= threshold ? RED : BAR;
  const name = feature.feature;
  const shortName =
    name.length > PSI_LABEL_CHARS ? `${name.slice(0, PSI_LABEL_CHARS - 1)}…` : name;

  return element('g', {}, [
    element('title', {}, escapeHtml(`${name}: PSI ${formatMetric(feature.psi)}`)),
    label(labelRight, y + 12, shortName, END),
    element('rect', { x: barLeft, y: y + 3, width: length, height: rowHeight - 6, fill }),
    label(valueRight, y + 12, formatMetric(feature.psi), END),
  ].join(''));
}

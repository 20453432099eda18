// Small SVG charts: no library, no inline styles (colours come from app.css classes), each with a text summary.

const ns = 'http://www.w3.org/2000/svg';
let width = 760;
const height = 220;
const margin = { top: 12, right: 12, bottom: 28, left: 48 };

function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(ns, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) if (child) element.append(child);
  return element;
}

function title(text) {
  const t = s('title');
  t.textContent = text;
  return t;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function frame(label, yMax, yFormat, buckets, timeLabel) {
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' });
  const plotHeight = height - margin.top - margin.bottom;
  for (let i = 0; i <= 4; i++) {
    const y = margin.top + plotHeight - (plotHeight * i / 4);
    svg.append(s('line', { x1: margin.left, x2: width - margin.right, y1: y, y2: y, class: 'grid' }));
    const text = s('text', { x: margin.left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' });
    text.textContent = yFormat(yMax * i / 4);
    svg.append(text);
  }

  const plotWidth = width - margin.left - margin.right;
  const every = Math.max(1, Math.ceil(buckets.length / (width < 600 ? 5 : 8)));
  buckets.forEach((bucket, i) => {
    if (i % every !== 0) return;
    const x = margin.left + (plotWidth * (i + 0.5) / buckets.length);
    const text = s('text', { x, y: height - 8, class: 'axis', 'text-anchor': 'middle' });
    text.textContent = timeLabel(bucket.start);
    svg.append(text);
  });
  return { svg, plotWidth, plotHeight };
}

/** Stacked bars per bucket: one series per key, bottom to top. */
export function stackedBars({ label, buckets, series, timeLabel, canvasWidth = 760 }) {
  width = canvasWidth;
  const totals = buckets.map(b => series.reduce((sum, serie) => sum + (b[serie.key] ?? 0), 0));
  const yMax = Math.max(4, Math.ceil(niceMax(Math.max(0, ...totals)) / 4) * 4);
  const { svg, plotWidth, plotHeight } = frame(label, yMax, v => String(Math.round(v)), buckets, timeLabel);
  const slot = plotWidth / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.72);
  buckets.forEach((bucket, i) => {
    let base = 0;
    const x = margin.left + (slot * i) + ((slot - barWidth) / 2);
    const group = s('g', {}, title(`${timeLabel(bucket.start)}: ${series.map(serie => `${bucket[serie.key] ?? 0} ${serie.label.toLowerCase()}`).join(', ')}`));
    for (const serie of series) {
      const value = bucket[serie.key] ?? 0;
      if (value > 0) {
        const h = plotHeight * value / yMax;
        const y = margin.top + plotHeight - (plotHeight * base / yMax) - h;
        group.append(s('rect', { x, y, width: barWidth, height: Math.max(h, 0.5), class: `bar ${serie.className}` }));
        base += value;
      }
    }
    svg.append(group);
  });
  return svg;
}

/** Lines over buckets; null values break the line (no data in that bucket). */
export function lines({ label, buckets, series, timeLabel, yMax: fixedMax, yFormat = v => String(Math.round(v)), canvasWidth = 460 }) {
  width = canvasWidth;
  const values = series.flatMap(serie => buckets.map(serie.value)).filter(v => v !== null && v !== undefined);
  const yMax = fixedMax ?? niceMax(Math.max(0, ...values));
  const { svg, plotWidth, plotHeight } = frame(label, yMax, yFormat, buckets, timeLabel);
  const slot = plotWidth / Math.max(1, buckets.length);
  for (const serie of series) {
    let path = '';
    let pen = false;
    buckets.forEach((bucket, i) => {
      const value = serie.value(bucket);
      if (value === null || value === undefined) { pen = false; return; }
      const x = margin.left + (slot * (i + 0.5));
      const y = margin.top + plotHeight - (plotHeight * Math.min(value, yMax) / yMax);
      path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      pen = true;
      svg.append(s('circle', { cx: x, cy: y, r: 2.5, class: `dot ${serie.className}` }, title(`${timeLabel(bucket.start)}: ${serie.label} ${yFormat(value)}`)));
    });
    if (path) svg.insertBefore(s('path', { d: path.trim(), class: `line ${serie.className}` }), svg.firstChild?.nextSibling ?? null);
  }
  return svg;
}

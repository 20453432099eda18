import { h, append, field, select, parseTime } from '../dom.js';
import { stackedBars, lines } from '../chart.js';
import { table } from '../widgets.js';

const ranges = [
  ['15m', 'Last 15 minutes', 15 * 60_000, 'minute'],
  ['1h', 'Last hour', 3_600_000, 'minute'],
  ['6h', 'Last 6 hours', 6 * 3_600_000, 'minute'],
  ['24h', 'Last 24 hours', 24 * 3_600_000, 'hour'],
  ['7d', 'Last 7 days', 7 * 24 * 3_600_000, 'hour'],
];

const pad = n => String(n).padStart(2, '0');

export async function render(container, { query }, ctx) {
  const filters = { webhook_id: query.get('webhook_id') ?? '', account_id: query.get('account_id') ?? '', range: query.get('range') ?? '1h' };
  const [, , span, bucket] = ranges.find(r => r[0] === filters.range) ?? ranges[1];
  const to = new Date();
  const from = new Date(to.getTime() - span);
  const [stats, hooks] = await Promise.all([
    ctx.api('/api/v1/stats/deliveries', { query: { webhook_id: filters.webhook_id, account_id: filters.account_id, from: from.toISOString(), to: to.toISOString(), bucket } }),
    ctx.api('/api/v1/webhooks', { query: { page_size: 1000, account_id: filters.account_id } }),
  ]);
  const go = changes => ctx.navigate('charts', { ...filters, ...changes });

  const form = h('form', { class: 'filters', 'aria-label': 'Chart scope' },
    field('Webhook', select('webhook_id', [['', 'All webhooks'], ...hooks.items.map(w => [w.id, w.url])], filters.webhook_id)),
    ctx.ownAccount ? null : ctx.accountField(filters.account_id),
    field('Range', select('range', ranges.map(([value, text]) => [value, text]), filters.range)),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Show')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    go({ webhook_id: data.get('webhook_id'), account_id: data.get('account_id') ?? '', range: data.get('range') });
  });

  const timeLabel = text => {
    const date = parseTime(text);
    return bucket === 'hour' && span > 24 * 3_600_000
      ? `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}h`
      : `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  };
  const summary = stats.summary;
  const percent = v => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(v === 1 ? 0 : 1)} %`);
  const ms = v => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);
  const per = bucket === 'minute' ? 'minute' : 'hour';
  const scopeLabel = filters.webhook_id ? (hooks.items.find(w => w.id === filters.webhook_id)?.url ?? filters.webhook_id) : 'all webhooks';

  const tiles = h('div', { class: 'tiles' },
    tile('Attempts', String(summary.attempts)),
    tile('Success rate', percent(summary.success_rate), summary.success_rate !== null && summary.success_rate < 0.95 ? 'warn' : null),
    tile('Failed', String(summary.failed + summary.errored), summary.failed + summary.errored > 0 ? 'warn' : null),
    tile('Avg latency', ms(summary.latency_ms.avg)),
    tile('p95 latency', ms(summary.latency_ms.p95)));

  const outcomeSeries = [
    { key: 'succeeded', label: 'Succeeded', className: 's-ok' },
    { key: 'failed', label: 'Failed', className: 's-bad' },
    { key: 'errored', label: 'No response', className: 's-warn' },
  ];
  const dataRows = stats.buckets.filter(b => b.attempts > 0).map(b => h('tr', null,
    h('td', null, timeLabel(b.start)), h('td', { class: 'num' }, b.attempts), h('td', { class: 'num' }, b.succeeded),
    h('td', { class: 'num' }, b.failed), h('td', { class: 'num' }, b.errored), h('td', { class: 'num' }, percent(b.success_rate)),
    h('td', { class: 'num' }, ms(b.latency_ms.avg)), h('td', { class: 'num' }, ms(b.latency_ms.p95))));

  append(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Charts'), h('p', { class: 'muted' }, `Delivery attempts of ${scopeLabel}, per ${per}.`))),
    form,
    tiles,
    chartCard(`Attempts per ${per} by outcome`, legend(outcomeSeries),
      stackedBars({ label: `Attempts per ${per}: ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.errored} without response`, buckets: stats.buckets, series: outcomeSeries, timeLabel })),
    h('div', { class: 'grid-2' },
      chartCard('Success rate', null,
        lines({ label: `Success rate per ${per}; overall ${percent(summary.success_rate)}`, buckets: stats.buckets, timeLabel, yMax: 1, yFormat: v => `${Math.round(v * 100)}%`,
          series: [{ label: 'success rate', className: 's-ok', value: b => b.success_rate }] })),
      chartCard('Attempt latency', legend([{ label: 'Average', className: 's-accent' }, { label: 'p95', className: 's-muted' }]),
        lines({ label: `Attempt latency per ${per}; average ${ms(summary.latency_ms.avg)}, p95 ${ms(summary.latency_ms.p95)}`, buckets: stats.buckets, timeLabel, yFormat: v => `${Math.round(v)} ms`,
          series: [
            { label: 'average', className: 's-accent', value: b => b.latency_ms.avg },
            { label: 'p95', className: 's-muted', value: b => b.latency_ms.p95 },
          ] }))),
    h('details', { class: 'card' },
      h('summary', null, 'Data table'),
      table(`Attempts per ${per}`, ['Time', 'Attempts', 'Succeeded', 'Failed', 'No response', 'Success rate', 'Avg latency', 'p95 latency'],
        dataRows.length ? dataRows : [h('tr', null, h('td', { colspan: 8, class: 'empty' }, 'No attempts in this range.'))])),
    h('p', { class: 'muted small' }, 'Succeeded: the success answer (HTTP 200 by default). Failed: another status. No response: connection error or timeout. Percentiles are estimated from a latency histogram.'));
}

function tile(label, value, tone) {
  return h('div', { class: `tile ${tone ? `tile-${tone}` : ''}` }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value));
}

function legend(series) {
  return h('ul', { class: 'legend', 'aria-hidden': 'true' }, series.map(serie => h('li', null, h('span', { class: `swatch ${serie.className}` }), serie.label)));
}

function chartCard(title, legendElement, svg) {
  return h('figure', { class: 'card chart-card' },
    h('figcaption', { class: 'card-head' }, h('h2', null, title), legendElement),
    svg);
}

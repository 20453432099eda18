import { h, append, clear, field, select, time, badge, code, facts, emptyRow, toInstant, toLocalInput } from '../dom.js';
import { pager, table } from '../widgets.js';

const maxRetrigger = 50;
const statuses = [['', 'Any status'], ['queued', 'Queued'], ['success', 'Success'], ['failed', 'Failed'], ['cancelled', 'Cancelled']];

export async function render(container, { id, query }, ctx) {
  if (id) return renderDetail(container, id, ctx);
  return renderList(container, query, ctx);
}

async function renderList(container, query, ctx) {
  const filters = {
    status: query.get('status') ?? '',
    webhook_id: query.get('webhook_id') ?? '',
    event_id: query.get('event_id') ?? '',
    account_id: query.get('account_id') ?? '',
    from_created_at: query.get('from_created_at') ?? '',
    to_created_at: query.get('to_created_at') ?? '',
  };
  const pageNum = Number(query.get('page') ?? 0);
  const [list, hooks] = await Promise.all([
    ctx.api('/api/v1/deliveries', { query: { ...filters, page_num: pageNum, page_size: 50 } }),
    ctx.api('/api/v1/webhooks', { query: { page_size: 1000, account_id: filters.account_id } }),
  ]);
  const hookUrl = new Map(hooks.items.map(w => [w.id, w.url]));
  const go = changes => ctx.navigate('deliveries', { ...filters, page: pageNum, ...changes });

  const webhookOptions = [['', 'Any webhook'], ...hooks.items.map(w => [w.id, w.url])];
  if (filters.webhook_id && !hookUrl.has(filters.webhook_id)) webhookOptions.push([filters.webhook_id, filters.webhook_id]);
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter deliveries' },
    field('Status', select('status', statuses, filters.status)),
    field('Webhook', select('webhook_id', webhookOptions, filters.webhook_id)),
    field('Event id', h('input', { type: 'search', name: 'event_id', value: filters.event_id, autocomplete: 'off', spellcheck: 'false' })),
    ctx.ownAccount ? null : ctx.accountField(filters.account_id),
    field('Created from', h('input', { type: 'datetime-local', name: 'from_created_at', value: toLocalInput(filters.from_created_at) })),
    field('Created to', h('input', { type: 'datetime-local', name: 'to_created_at', value: toLocalInput(filters.to_created_at) })),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, 'Apply'),
      h('a', { class: 'button button-ghost', href: '#/deliveries' }, 'Reset')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    go({
      status: data.get('status'), webhook_id: data.get('webhook_id'), event_id: data.get('event_id').trim(),
      account_id: data.get('account_id') ?? '', from_created_at: toInstant(data.get('from_created_at')), to_created_at: toInstant(data.get('to_created_at')), page: 0,
    });
  });

  const selected = new Set();
  const retrigger = h('button', { type: 'button', class: 'button button-primary', disabled: true }, 'Retrigger selected');
  const selectionNote = h('span', { class: 'muted', 'aria-live': 'polite' }, 'Select deliveries to queue them again.');
  const updateSelection = () => {
    retrigger.disabled = selected.size === 0 || selected.size > maxRetrigger;
    retrigger.textContent = selected.size ? `Retrigger selected (${selected.size})` : 'Retrigger selected';
    selectionNote.textContent = selected.size > maxRetrigger
      ? `At most ${maxRetrigger} at once: ${selected.size} selected.`
      : selected.size ? `${selected.size} selected.` : 'Select deliveries to queue them again.';
  };
  retrigger.addEventListener('click', async () => {
    const ids = [...selected];
    const result = await ctx.run(() => ctx.api('/api/v1/deliveries/retrigger', { method: 'POST', body: { ids } }), { button: retrigger });
    if (!result) return;
    ctx.flash(`Queued ${result.items.length} ${result.items.length === 1 ? 'delivery' : 'deliveries'} again.`);
    ctx.navigate('deliveries', { ...filters, page: pageNum });
  });

  const boxes = [];
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select every delivery on this page' });
  all.addEventListener('change', () => {
    for (const box of boxes) {
      box.checked = all.checked;
      if (all.checked) selected.add(box.value); else selected.delete(box.value);
    }
    updateSelection();
  });

  const rows = list.items.length === 0
    ? [emptyRow(8, 'No deliveries match these filters.')]
    : list.items.map(d => {
      const box = h('input', { type: 'checkbox', value: d.id, 'aria-label': `Select delivery ${d.id}` });
      box.addEventListener('change', () => { if (box.checked) selected.add(d.id); else selected.delete(d.id); updateSelection(); });
      boxes.push(box);
      return h('tr', { 'data-delivery': d.id },
        h('td', { class: 'select' }, box),
        h('td', null, h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}` }, time(d.created_at))),
        h('td', null, h('div', { class: 'strong' }, d.event_name), h('div', { class: 'muted small' }, code(d.event_id))),
        h('td', { class: 'truncate' }, h('span', { title: d.webhook_id }, hookUrl.get(d.webhook_id) ?? d.webhook_id)),
        h('td', null, badge(d.status), d.retriggered ? h('span', { class: 'muted small' }, ' retriggered') : null),
        h('td', { class: 'num' }, d.attempt_count),
        h('td', { class: 'num' }, d.last_status_code ?? (d.last_error ? h('span', { class: 'muted', title: d.last_error }, 'error') : '—')),
        h('td', null, d.next_attempt_at ? time(d.next_attempt_at) : '—'));
    });

  append(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Deliveries'), h('p', { class: 'muted' }, 'Every event on its way to every endpoint, newest first, with each attempt.'))),
    form,
    h('div', { class: 'toolbar' }, retrigger, selectionNote),
    table('Deliveries', [h('th', { scope: 'col', class: 'select' }, all), 'Created', 'Event', 'Webhook', 'Status', 'Attempts', 'Last code', 'Next attempt'], rows),
    pager(pageNum, list.has_more, page => go({ page })));
}

async function renderDetail(container, id, ctx) {
  const delivery = await ctx.api(`/api/v1/deliveries/${encodeURIComponent(id)}`);
  const retrigger = h('button', { type: 'button', class: 'button button-primary' }, 'Retrigger');
  retrigger.addEventListener('click', async () => {
    const result = await ctx.run(() => ctx.api('/api/v1/deliveries/retrigger', { method: 'POST', body: { ids: [id] } }), { button: retrigger });
    if (!result) return;
    ctx.flash('Queued again for a fresh round of retries.');
    ctx.navigate(`deliveries/${encodeURIComponent(id)}`);
  });
  const refresh = h('button', { type: 'button', class: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => ctx.navigate(`deliveries/${encodeURIComponent(id)}`));

  const attempts = delivery.attempts ?? [];
  const rows = attempts.length === 0
    ? [emptyRow(6, delivery.status === 'queued' ? 'No attempt yet: it is queued.' : 'No attempts.')]
    : attempts.map(a => h('tr', { 'data-attempt': a.number },
      h('td', { class: 'num' }, a.number),
      h('td', null, time(a.started_at)),
      h('td', { class: 'num' }, `${a.duration_ms} ms`),
      h('td', { class: 'num' }, a.status_code != null
        ? h('span', { class: `code-pill ${a.status_code === 200 ? 'ok' : 'bad'}`, 'data-testid': 'attempt-status' }, String(a.status_code))
        : h('span', { class: 'code-pill bad' }, 'none')),
      h('td', null, a.error ?? '—'),
      h('td', null, a.response_body
        ? h('details', null, h('summary', null, `${a.response_body.length} characters`), h('pre', { class: 'code' }, a.response_body))
        : h('span', { class: 'muted' }, 'empty'))));

  append(container,
    h('p', { class: 'crumbs' }, h('a', { href: '#/deliveries' }, 'Deliveries'), ' / ', code(delivery.id)),
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, delivery.event_name), h('p', { class: 'muted' }, 'Delivery ', code(delivery.id))),
      h('div', { class: 'actions' }, refresh, retrigger)),
    h('section', { class: 'card' },
      facts([
        ['Status', [h('span', { 'data-testid': 'delivery-status' }, badge(delivery.status)), delivery.retriggered ? h('span', { class: 'muted' }, ' retriggered') : null]],
        ['Event', h('a', { href: `#/events/${encodeURIComponent(delivery.event_id)}` }, code(delivery.event_id))],
        ['Webhook', h('a', { href: `#/webhooks/${encodeURIComponent(delivery.webhook_id)}` }, code(delivery.webhook_id))],
        ['Account', delivery.account_id ?? '—'],
        ['Attempts', String(delivery.attempt_count)],
        ['Next attempt', delivery.next_attempt_at ? time(delivery.next_attempt_at) : '—'],
        ['Created', time(delivery.created_at)],
        ['Updated', time(delivery.updated_at)],
      ])),
    h('section', { class: 'card' },
      h('h2', null, 'Attempts'),
      table('Attempts', ['#', 'Started', 'Duration', 'Status code', 'Error', 'Response body'], rows, { className: 'attempts' })));
}

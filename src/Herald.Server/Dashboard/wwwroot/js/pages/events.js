import { h, append, clear, field, select, time, code, facts, emptyRow, toInstant, toLocalInput, copyButton } from '../dom.js';
import { pager, table } from '../widgets.js';

export async function render(container, { id, query }, ctx) {
  if (id) return renderDetail(container, id, ctx);
  return renderList(container, query, ctx);
}

async function renderList(container, query, ctx) {
  const filters = {
    name: query.get('name') ?? '',
    id: query.get('id') ?? '',
    account_id: query.get('account_id') ?? '',
    from_created_at: query.get('from_created_at') ?? '',
    to_created_at: query.get('to_created_at') ?? '',
  };
  const pageNum = Number(query.get('page') ?? 0);
  const list = await ctx.api('/api/v1/events', { query: { ...filters, page_num: pageNum, page_size: 50 } });
  const go = changes => ctx.navigate('events', { ...filters, page: pageNum, ...changes });

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Search events' },
    field('Event type', select('name', [['', 'Any type'], ...ctx.state.catalog.map(t => [t.name, t.name])], filters.name)),
    field('Event id', h('input', { type: 'search', name: 'id', value: filters.id, autocomplete: 'off', spellcheck: 'false' })),
    ctx.ownAccount ? null : ctx.accountField(filters.account_id),
    field('Created from', h('input', { type: 'datetime-local', name: 'from_created_at', value: toLocalInput(filters.from_created_at) })),
    field('Created to', h('input', { type: 'datetime-local', name: 'to_created_at', value: toLocalInput(filters.to_created_at) })),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, 'Search'),
      h('a', { class: 'button button-ghost', href: '#/events' }, 'Reset')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    go({
      name: data.get('name'), id: data.get('id').trim(), account_id: data.get('account_id') ?? '',
      from_created_at: toInstant(data.get('from_created_at')), to_created_at: toInstant(data.get('to_created_at')), page: 0,
    });
  });

  const rows = list.items.length === 0
    ? [emptyRow(4, 'No events match this search.')]
    : list.items.map(e => h('tr', { 'data-event': e.id },
      h('td', null, time(e.created_at)),
      h('td', null, h('a', { href: `#/events/${encodeURIComponent(e.id)}`, class: 'strong' }, e.name)),
      h('td', null, code(e.id)),
      h('td', null, e.account_id ? h('span', { title: e.account_id }, ctx.accountName(e.account_id) ?? e.account_id) : ['App ', code(e.app_id)])));

  append(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Events'), h('p', { class: 'muted' }, 'Events published to Herald and the ones it emitted, newest first.'))),
    form,
    table('Events', ['Created', 'Type', 'Id', 'Account or app'], rows),
    pager(pageNum, list.has_more, page => go({ page })));
}

async function renderDetail(container, id, ctx) {
  const path = `/api/v1/events/${encodeURIComponent(id)}`;
  const bytes = await ctx.api(path, { raw: true });
  const envelope = JSON.parse(bytes);
  const size = new TextEncoder().encode(bytes).length;
  const pre = h('pre', { class: 'code envelope', 'data-testid': 'envelope', tabindex: '0', 'aria-label': 'Envelope bytes' }, bytes);
  const pretty = h('input', { type: 'checkbox' });
  pretty.addEventListener('change', () => {
    clear(pre, pretty.checked ? JSON.stringify(envelope, null, 2) : bytes);
    pre.setAttribute('aria-label', pretty.checked ? 'Envelope, indented for reading' : 'Envelope bytes');
  });

  append(container,
    h('p', { class: 'crumbs' }, h('a', { href: '#/events' }, 'Events'), ' / ', code(id)),
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, envelope.name), h('p', { class: 'muted' }, 'Event ', code(envelope.id))),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/deliveries?event_id=${encodeURIComponent(id)}` }, 'Deliveries of this event →'))),
    h('section', { class: 'card' },
      facts([
        ['Created', time(envelope.created_at)],
        envelope.account_id ? ['Account', `${ctx.accountName(envelope.account_id) ?? ''} ${envelope.account_id}`] : ['App', envelope.app_id],
        ['Version', envelope.version ?? '—'],
      ])),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' },
        h('h2', null, 'Envelope'),
        h('div', { class: 'actions' }, h('label', { class: 'check' }, pretty, ' Indent for reading'), copyButton(bytes, 'Copy bytes'))),
      h('p', { class: 'muted' }, `The exact ${size} bytes every endpoint receives (and signs over), unchanged on every retry.`),
      pre));
}

import { h, append, clear, field, select, time, badge, code, copyButton, facts, emptyRow, formatTime } from '../dom.js';
import { pager, eventPicker, table } from '../widgets.js';

export async function render(container, { id, query }, ctx) {
  if (id) return renderDetail(container, id, ctx);
  return renderList(container, query, ctx);
}

function eventsSummary(webhook) {
  if (webhook.all_events) return h('span', { class: 'muted' }, 'All events');
  const [first, ...rest] = webhook.events;
  return h('span', { title: webhook.events.join('\n') }, first ?? '—', rest.length ? h('span', { class: 'muted' }, ` +${rest.length} more`) : null);
}

// The webhook just created (with its secret, shown once), kept across the re-render that lists it.
let justCreated = null;

async function renderList(container, query, ctx) {
  const pageNum = Number(query.get('page') ?? 0);
  const accountId = query.get('account_id') ?? '';
  const list = await ctx.api('/api/v1/webhooks', { query: { page_num: pageNum, page_size: 50, account_id: accountId } });
  const go = changes => ctx.navigate('webhooks', { account_id: accountId, page: pageNum, ...changes });

  const accountFilter = ctx.accountField(accountId);
  accountFilter.querySelector('select').addEventListener('change', e => go({ account_id: e.target.value, page: 0 }));

  const creator = h('section', { class: 'card', hidden: true, 'aria-labelledby': 'new-webhook-title' });
  const newButton = h('button', { type: 'button', class: 'button button-primary', 'aria-expanded': 'false', 'aria-controls': 'new-webhook' }, 'New webhook');
  creator.id = 'new-webhook';
  newButton.addEventListener('click', () => {
    const open = creator.hidden;
    creator.hidden = !open;
    newButton.setAttribute('aria-expanded', String(open));
    if (open) {
      clear(creator, createForm(ctx, accountId));
      creator.querySelector('input[name="url"]').focus();
    }
  });

  const rows = list.items.length === 0
    ? [emptyRow(5, 'No webhooks yet. Create one to start receiving events.')]
    : list.items.map(w => h('tr', null,
      h('td', null, h('a', { href: `#/webhooks/${encodeURIComponent(w.id)}`, class: 'strong' }, w.url), h('div', { class: 'muted small' }, w.description ?? code(w.id))),
      h('td', null, eventsSummary(w)),
      h('td', null, badge(w.status), w.disabled_reason ? h('div', { class: 'muted small' }, w.disabled_reason) : null),
      h('td', null, w.account_id ? h('span', { title: w.account_id }, ctx.accountName(w.account_id) ?? w.account_id) : code(w.app_id)),
      h('td', null, time(w.created_at))));

  const created = justCreated ? secretPanel('Webhook created', justCreated.secret, null, justCreated.id) : null;
  justCreated = null;
  append(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Webhooks'), h('p', { class: 'muted' }, 'Endpoints Herald signs and POSTs events to, with retries for about three days.')),
      newButton),
    created,
    creator,
    ctx.ownAccount ? null : h('div', { class: 'filters' }, accountFilter),
    table('Webhooks', ['Endpoint', 'Events', 'Status', 'Owner', 'Created'], rows),
    pager(pageNum, list.has_more, page => go({ page })));
}

function createForm(ctx, accountId) {
  const picker = eventPicker(ctx.state.catalog, { events: [] });
  const account = ctx.ownAccount ? null : ctx.accountField(accountId, { label: 'Account', anyLabel: 'Choose an account' });
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', { id: 'new-webhook-title' }, 'New webhook'),
    account,
    field('Endpoint URL', h('input', { type: 'url', name: 'url', required: true, placeholder: 'https://example.com/webhooks/airwallex', autocomplete: 'off' }),
      'Herald POSTs each event here, signed with x-timestamp and x-signature. Production mode accepts https only.'),
    field('Description', h('input', { type: 'text', name: 'description', maxlength: 500, autocomplete: 'off' })),
    picker.element,
    field('Signing secret', h('input', { type: 'text', name: 'secret', autocomplete: 'off', spellcheck: 'false' }),
      'Leave empty to have Herald make one (whsec_…). It is shown once, right after creation.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create webhook')));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      url: data.get('url').trim(),
      description: data.get('description').trim() || undefined,
      secret: data.get('secret').trim() || undefined,
      account_id: ctx.ownAccount ?? (data.get('account_id') || undefined),
      ...picker.value(),
    };
    const created = await ctx.run(() => ctx.api('/api/v1/webhooks/create', { method: 'POST', body }), { form });
    if (!created) return;
    justCreated = created;
    ctx.flash(`Webhook ${created.id} created.`);
    ctx.navigate('webhooks', { account_id: accountId });
  });
  return form;
}

function secretPanel(title, secret, activatesAt, webhookId) {
  return h('div', { class: 'callout callout-success', 'data-testid': 'secret-panel' },
    h('h3', null, title),
    secret
      ? [h('p', null, 'Signing secret — shown only now. Install it in your endpoint before it signs:'),
        h('div', { class: 'secret' }, h('code', { 'data-testid': 'secret' }, secret), copyButton(secret))]
      : h('p', null, 'This webhook has no secret: requests are sent unsigned.'),
    activatesAt ? h('p', null, 'Signs from ', h('strong', null, formatTime(activatesAt)), '; until then the previous secret keeps signing.') : null,
    webhookId ? h('p', null, h('a', { href: `#/webhooks/${encodeURIComponent(webhookId)}` }, 'Open the webhook →')) : null);
}

async function renderDetail(container, id, ctx) {
  const webhook = await ctx.api(`/api/v1/webhooks/${encodeURIComponent(id)}`);
  const enabled = webhook.status === 'ENABLED';
  const base = `/api/v1/webhooks/${encodeURIComponent(id)}`;

  const toggle = h('button', { type: 'button', class: enabled ? 'button' : 'button button-primary' }, enabled ? 'Disable' : 'Enable');
  toggle.addEventListener('click', async () => {
    const updated = await ctx.run(() => ctx.api(`${base}/update`, { method: 'POST', body: { status: enabled ? 'DISABLED' : 'ENABLED' } }), { button: toggle });
    if (updated) {
      ctx.flash(`Webhook ${updated.status === 'ENABLED' ? 'enabled' : 'disabled'}.`);
      ctx.navigate(`webhooks/${encodeURIComponent(id)}`);
    }
  });
  const remove = h('button', { type: 'button', class: 'button button-danger' }, 'Delete');
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete webhook ${webhook.url}? Its queued deliveries are cancelled; its log stays readable.`)) return;
    const deleted = await ctx.run(() => ctx.api(`${base}/delete`, { method: 'POST' }), { button: remove });
    if (deleted) ctx.navigate('webhooks');
  });

  append(container,
    h('p', { class: 'crumbs' }, h('a', { href: '#/webhooks' }, 'Webhooks'), ' / ', code(webhook.id)),
    h('div', { class: 'page-head' },
      h('div', null, h('h1', { class: 'break' }, webhook.url), h('p', { class: 'muted' }, webhook.description ?? 'No description')),
      h('div', { class: 'actions' }, toggle, remove)),
    h('section', { class: 'card' },
      facts([
        ['Status', [badge(webhook.status), webhook.disabled_reason ? h('span', { class: 'muted' }, ` ${webhook.disabled_reason}`) : null]],
        ['Id', code(webhook.id)],
        ['Owner', webhook.account_id ? `${ctx.accountName(webhook.account_id) ?? ''} ${webhook.account_id}` : `App ${webhook.app_id}`],
        ['Events', webhook.all_events ? 'All events' : webhook.events.join(', ')],
        ['Signing', webhook.has_secret ? 'Signed (x-signature)' : 'Unsigned'],
        ['Created', time(webhook.created_at)],
        ['Updated', time(webhook.updated_at)],
      ]),
      h('p', { class: 'links' },
        h('a', { href: `#/deliveries?webhook_id=${encodeURIComponent(id)}` }, 'Deliveries of this webhook →'), ' ',
        h('a', { href: `#/charts?webhook_id=${encodeURIComponent(id)}` }, 'Charts →'))),
    h('div', { class: 'grid-2' }, testCard(ctx, base, webhook), rotateCard(ctx, base)),
    editCard(ctx, base, webhook));
}

function testCard(ctx, base, webhook) {
  const names = ctx.state.catalog.map(t => [t.name, t.name]);
  const preferred = webhook.all_events ? names[0]?.[0] : webhook.events[0];
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', null, 'Send a test event'),
    h('p', { class: 'muted' }, 'A realistic sample of the chosen type, signed like any delivery, sent now; not stored and not retried.'),
    field('Event type', select('name', names, preferred)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Send test')),
    result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const name = new FormData(form).get('name');
    const outcome = await ctx.run(() => ctx.api(`${base}/test`, { method: 'POST', body: { name } }), { form });
    if (!outcome) return;
    clear(result, h('div', { class: `callout ${outcome.success ? 'callout-success' : 'callout-error'}`, 'data-testid': 'test-result' },
      h('h3', null, outcome.success ? 'Delivered' : 'Not delivered'),
      facts([
        ['Event', `${outcome.name} (${outcome.event_id})`],
        ['Status code', outcome.status_code ?? 'no response'],
        ['Duration', `${outcome.duration_ms} ms`],
        outcome.error ? ['Error', outcome.error] : null,
      ]),
      outcome.response_body ? h('details', null, h('summary', null, 'Response body'), h('pre', { class: 'code' }, outcome.response_body)) : null));
  });
  return h('section', { class: 'card' }, form);
}

function rotateCard(ctx, base) {
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', null, 'Rotate the secret'),
    h('p', { class: 'muted' }, 'Herald makes a new secret. The current one keeps signing until the new one activates, so your endpoint can accept both first.'),
    field('New secret starts signing', select('activate_after_seconds', [
      ['0', 'Immediately'], ['3600', 'In 1 hour'], ['86400', 'In 24 hours (default)'], ['604800', 'In 7 days'],
    ], '86400')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Rotate secret')),
    result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const seconds = Number(new FormData(form).get('activate_after_seconds'));
    const rotated = await ctx.run(() => ctx.api(`${base}/rotate_secret`, { method: 'POST', body: { activate_after_seconds: seconds } }), { form });
    if (!rotated) return;
    ctx.say('New secret made.');
    clear(result, secretPanel('New secret', rotated.secret, rotated.activates_at, null));
  });
  return h('section', { class: 'card' }, form);
}

function editCard(ctx, base, webhook) {
  const picker = eventPicker(ctx.state.catalog, { events: webhook.events, allEvents: webhook.all_events, allowPartner: Boolean(webhook.app_id) });
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', null, 'Edit'),
    field('Endpoint URL', h('input', { type: 'url', name: 'url', required: true, value: webhook.url, autocomplete: 'off' })),
    field('Description', h('input', { type: 'text', name: 'description', value: webhook.description ?? '', autocomplete: 'off' })),
    picker.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save changes')));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { url: data.get('url').trim(), description: data.get('description').trim(), ...picker.value() };
    if (body.all_events === undefined) body.all_events = false;
    const saved = await ctx.run(() => ctx.api(`${base}/update`, { method: 'POST', body }), { form });
    if (saved) ctx.say('Changes saved.');
  });
  return h('section', { class: 'card' }, form);
}

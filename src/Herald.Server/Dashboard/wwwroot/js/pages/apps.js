import { h, append, clear, field, select, time, badge, code, emptyRow } from '../dom.js';
import { pager, table } from '../widgets.js';

// The last disconnect's outcome, shown above the refreshed list after the re-render that follows it.
let lastOutcome = null;

export async function render(container, { query }, ctx) {
  const filters = { account_id: query.get('account_id') ?? '', status: query.get('status') ?? 'ACTIVE' };
  const pageNum = Number(query.get('page') ?? 0);
  const list = await ctx.api('/api/v1/connections', { query: { ...filters, page_num: pageNum, page_size: 50 } });
  const go = changes => ctx.navigate('apps', { ...filters, page: pageNum, ...changes });
  const result = h('div', { 'aria-live': 'polite' });
  if (lastOutcome) {
    showOutcome(ctx, result, lastOutcome.outcome, lastOutcome.connection);
    lastOutcome = null;
  }

  const form = h('form', { class: 'filters', 'aria-label': 'Filter connections' },
    ctx.ownAccount ? null : ctx.accountField(filters.account_id),
    field('Status', select('status', [['ACTIVE', 'Connected'], ['DISCONNECTED', 'Disconnected'], ['', 'Any']], filters.status)),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Apply')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    go({ account_id: data.get('account_id') ?? '', status: data.get('status'), page: 0 });
  });

  const dialog = disconnectDialog(ctx, result);
  const rows = list.items.length === 0
    ? [emptyRow(6, filters.status === 'ACTIVE' ? 'No partner app is connected.' : 'No connections.')]
    : list.items.map(c => {
      const button = c.status === 'ACTIVE'
        ? h('button', { type: 'button', class: 'button button-danger button-small' }, 'Disconnect')
        : null;
      button?.setAttribute('aria-label', `Disconnect ${c.app_name ?? c.app_id} from ${ctx.accountName(c.account_id) ?? c.account_id}`);
      button?.addEventListener('click', () => dialog.open(c, button));
      return h('tr', { 'data-app': c.app_id, 'data-account': c.account_id },
        h('td', null, h('div', { class: 'strong' }, c.app_name ?? c.app_id), h('div', { class: 'muted small' }, code(c.app_id))),
        h('td', null, h('div', null, ctx.accountName(c.account_id) ?? c.account_id), h('div', { class: 'muted small' }, code(c.account_id))),
        h('td', null, c.org_id ? code(c.org_id) : '—'),
        h('td', null, badge(c.status)),
        h('td', null, time(c.created_at), c.status === 'DISCONNECTED' ? h('div', { class: 'muted small' }, 'until ', time(c.updated_at)) : null),
        h('td', { class: 'actions-cell' }, button));
    });

  append(container,
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, 'Authorized apps'),
        h('p', { class: 'muted' }, 'Partner applications your accounts have authorized. Disconnecting stops their events reaching the app and notifies it with partner_connection.disconnected.'))),
    form,
    result,
    table('Authorized apps', ['App', 'Account', 'Organization', 'Status', 'Connected since', ''], rows),
    pager(pageNum, list.has_more, page => go({ page })),
    connectCard(ctx, filters.account_id),
    dialog.element);
}

function disconnectDialog(ctx, result) {
  const title = h('h2', { id: 'disconnect-title' });
  const text = h('p');
  const scope = h('div');
  const confirm = h('button', { type: 'submit', class: 'button button-danger' }, 'Disconnect');
  const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
  const form = h('form', { method: 'dialog', class: 'form' }, title, text, scope, h('div', { class: 'actions' }, cancel, confirm));
  const element = h('dialog', { class: 'dialog', 'aria-labelledby': 'disconnect-title' }, form);
  let connection = null;
  let opener = null;
  cancel.addEventListener('click', () => element.close());
  element.addEventListener('close', () => opener?.focus());
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const whole = form.querySelector('input[name="scope"]:checked')?.value === 'org';
    const body = whole
      ? { app_id: connection.app_id, org_id: connection.org_id }
      : { app_id: connection.app_id, account_ids: [connection.account_id] };
    element.close();
    const outcome = await ctx.run(() => ctx.api('/api/v1/connections/disconnect', { method: 'POST', body }));
    if (!outcome) return;
    if (!outcome.event_id) {
      ctx.flash(`${connection.app_name ?? outcome.app_id} was already disconnected; nothing was emitted.`);
    } else {
      ctx.flash(`Disconnected ${connection.app_name ?? outcome.app_id}; Herald emitted partner_connection.disconnected.`);
      lastOutcome = { outcome, connection };
    }
    ctx.navigate('apps', ctx.currentQuery());
  });
  return {
    element,
    open(target, button) {
      connection = target;
      opener = button;
      const appName = target.app_name ?? target.app_id;
      clear(title, `Disconnect ${appName}?`);
      clear(text, `${appName} stops receiving events of the accounts you disconnect, its queued deliveries of them are cancelled, and Herald sends it one partner_connection.disconnected event.`);
      const orgLevel = target.org_id && (ctx.state.who.kind === 'organization' || ctx.state.who.kind === 'admin');
      clear(scope, orgLevel
        ? h('fieldset', { class: 'radios' }, h('legend', null, 'Disconnect'),
          h('label', { class: 'check' }, h('input', { type: 'radio', name: 'scope', value: 'account', checked: true }), ` Only ${ctx.accountName(target.account_id) ?? target.account_id}`),
          h('label', { class: 'check' }, h('input', { type: 'radio', name: 'scope', value: 'org' }), ` Every account of organization ${target.org_id}`))
        : null);
      element.showModal();
      confirm.focus();
    },
  };
}

function showOutcome(ctx, result, outcome, connection) {
  const appName = connection.app_name ?? outcome.app_id;
  clear(result, h('div', { class: 'callout callout-success', 'data-testid': 'disconnect-result' },
    h('h3', null, `Disconnected ${appName}`),
    h('p', null, `${outcome.account_ids.length} ${outcome.account_ids.length === 1 ? 'account' : 'accounts'} disconnected`,
      outcome.org_id ? [' (organization ', code(outcome.org_id), ')'] : null, '. Herald emitted ',
      h('strong', null, 'partner_connection.disconnected'), ' ',
      ctx.isAdmin ? h('a', { href: `#/events/${encodeURIComponent(outcome.event_id)}` }, code(outcome.event_id)) : code(outcome.event_id),
      ' to the app’s webhooks:'),
    outcome.event ? h('pre', { class: 'code', 'data-testid': 'emitted-event' }, JSON.stringify(outcome.event, null, 2)) : null,
    h('p', { class: 'muted small' }, 'Its deliveries are in ', h('a', { href: `#/deliveries?event_id=${encodeURIComponent(outcome.event_id)}` }, 'Deliveries'), '.')));
}

function connectCard(ctx, accountId) {
  const form = h('form', { class: 'form', novalidate: true },
    h('h2', null, 'Authorize an app'),
    h('p', { class: 'muted' }, 'Grants a partner app access to an account, as its OAuth consent would. Partner apps are registered by the operator (POST /api/v1/apps/create).'),
    h('div', { class: 'row' },
      field('App id', h('input', { type: 'text', name: 'app_id', required: true, placeholder: 'appid_…', autocomplete: 'off', spellcheck: 'false' })),
      ctx.ownAccount ? null : ctx.accountField(accountId, { anyLabel: 'Choose an account' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Authorize app')));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { app_id: data.get('app_id').trim(), account_id: ctx.ownAccount ?? (data.get('account_id') || undefined) };
    const connection = await ctx.run(() => ctx.api('/api/v1/connections/create', { method: 'POST', body }), { form });
    if (!connection) return;
    ctx.flash(`${connection.app_name ?? connection.app_id} is authorized for ${ctx.accountName(connection.account_id) ?? connection.account_id}.`);
    ctx.navigate('apps', { status: 'ACTIVE' });
  });
  return h('section', { class: 'card' }, form);
}

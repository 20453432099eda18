import { api, ApiError, session } from './api.js';
import { h, clear, field } from './dom.js';
import * as webhooks from './pages/webhooks.js';
import * as deliveries from './pages/deliveries.js';
import * as events from './pages/events.js';
import * as apps from './pages/apps.js';
import * as charts from './pages/charts.js';

const pages = [
  { path: 'webhooks', label: 'Webhooks', module: webhooks },
  { path: 'deliveries', label: 'Deliveries', module: deliveries },
  { path: 'events', label: 'Events', module: events },
  { path: 'apps', label: 'Authorized apps', module: apps },
  { path: 'charts', label: 'Charts', module: charts },
];

const root = document.getElementById('app');

/** What the signed-in key is and reaches; filled at sign-in. */
const state = { who: null, accounts: [], catalog: [] };

let notice;
let status;
let main;
let renderToken = 0;

/** Shows an API error (code, status, message, field) where screen readers announce it, and marks the field. */
function fail(error, form) {
  if (error instanceof ApiError && error.status === 401 && state.who) {
    session.signOut();
    state.who = null;
    renderSignIn(error);
    return;
  }

  const known = error instanceof ApiError;
  clear(notice,
    h('div', { class: 'alert alert-error' },
      h('p', { class: 'alert-title' }, known ? `${error.code}${error.status ? ` · HTTP ${error.status}` : ''}` : 'error'),
      h('p', null, error.message),
      known && error.source ? h('p', { class: 'alert-source' }, 'Field: ', h('code', null, error.source)) : null));
  notice.hidden = false;
  if (form) {
    for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
    const name = known && error.source ? error.source.replace(/\[\d+\]$/, '') : null;
    const control = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.focus();
    }
  }
}

function say(message) {
  clear(status, message);
}

// A message to show after the navigation that follows it (flash first, then navigate).
let pendingMessage = null;

function flash(message) {
  pendingMessage = message;
}

function resetNotices() {
  clear(notice);
  notice.hidden = true;
  clear(status, pendingMessage ?? '');
  pendingMessage = null;
}

/** Runs an action from a form or button: disables it while running, shows errors, never throws. */
async function run(action, { form, button } = {}) {
  const controls = [button, form?.querySelector('[type="submit"]')].filter(Boolean);
  controls.forEach(control => { control.disabled = true; control.setAttribute('aria-busy', 'true'); });
  clear(notice);
  notice.hidden = true;
  try {
    return await action();
  } catch (error) {
    fail(error, form);
    return undefined;
  } finally {
    controls.forEach(control => { control.disabled = false; control.removeAttribute('aria-busy'); });
  }
}

function parseHash() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = hash.split('?');
  const segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, query: new URLSearchParams(queryPart ?? '') };
}

function navigate(path, query) {
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString() : '';
  const target = `#/${path}${search ? `?${search}` : ''}`;
  if (window.location.hash === target) route();
  else window.location.hash = target;
}

const context = {
  api, state, fail, say, flash, run, navigate,
  currentQuery: () => Object.fromEntries(parseHash().query),
  get isAdmin() { return state.who?.kind === 'admin'; },
  /** The account a tenant key acts on by default: an account key's own; otherwise none (the caller picks). */
  get ownAccount() { return state.who?.kind === 'account' ? state.who.account_id : null; },
  accountOptions(anyLabel = 'All accounts') {
    const options = state.accounts.map(a => [a.id, `${a.name} (${a.id})`]);
    return state.who?.kind === 'account' ? options : [['', anyLabel], ...options];
  },
  accountName(id) {
    return state.accounts.find(a => a.id === id)?.name ?? null;
  },
  accountField(value, { label = 'Account', anyLabel = 'All accounts', name = 'account_id' } = {}) {
    const control = h('select', { name },
      context.accountOptions(anyLabel).map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)));
    return field(label, control);
  },
};

async function loadSession(key) {
  const who = await api('/api/v1/whoami', { key });
  const [accounts, catalog] = await Promise.all([
    api('/api/v1/accounts', { key, query: { page_size: 1000 } }),
    api('/api/v1/event_types', { key }),
  ]);
  state.who = who;
  state.accounts = accounts.items;
  state.catalog = catalog.items;
}

function renderSignIn(error) {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const errorBox = h('div', { class: 'signin-error', role: 'alert', 'aria-live': 'assertive' });
  const form = h('form', { class: 'signin-card', novalidate: true },
    h('div', { class: 'brand brand-large' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'H'), 'Herald'),
    h('h1', null, 'Sign in to the dashboard'),
    h('p', { class: 'muted' }, 'Use an API key: the admin key sees every account, an organization key its accounts, an account key its own. The key stays in this browser tab only.'),
    field('API key', input, 'Sent as Authorization: Bearer <key> to /api/v1.'),
    errorBox,
    h('button', { type: 'submit', class: 'button button-primary button-wide' }, 'Sign in'),
    h('p', { class: 'muted small' }, 'API reference: ', h('a', { href: '/docs' }, '/docs')));
  const show = e => clear(errorBox, h('div', { class: 'alert alert-error' },
    h('p', { class: 'alert-title' }, `${e.code ?? 'error'}${e.status ? ` · HTTP ${e.status}` : ''}`), h('p', null, e.message)));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      show({ code: 'validation_error', message: 'Enter an API key.' });
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }

    const button = form.querySelector('button');
    button.disabled = true;
    try {
      await loadSession(key);
      session.signIn(key);
      if (!window.location.hash || window.location.hash === '#/') window.location.hash = '#/webhooks';
      renderShell();
    } catch (e) {
      show(e);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  clear(root, h('main', { class: 'signin' }, form));
  if (error) show(error);
  input.focus();
}

function whoLabel() {
  const who = state.who;
  if (who.kind === 'admin') return 'Admin key · every account';
  if (who.kind === 'organization') return `Organization key · ${who.org_id}`;
  return `Account key · ${context.accountName(who.account_id) ?? who.account_id}`;
}

function renderShell() {
  notice = h('div', { id: 'notice', class: 'notice', role: 'alert', 'aria-live': 'assertive', hidden: true });
  status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  main = h('div', { class: 'page' });
  const nav = h('nav', { class: 'sidebar', 'aria-label': 'Dashboard' },
    h('a', { class: 'brand', href: '#/webhooks' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'H'), 'Herald'),
    h('ul', null, pages.map(page => h('li', null, h('a', { href: `#/${page.path}`, 'data-page': page.path }, page.label)))),
    h('div', { class: 'sidebar-foot' }, h('a', { href: '/docs', target: '_blank', rel: 'noopener' }, 'API reference ↗')));
  const signOut = h('button', { type: 'button', class: 'button button-ghost' }, 'Sign out');
  signOut.addEventListener('click', () => {
    session.signOut();
    state.who = null;
    window.location.hash = '';
    renderSignIn();
  });
  clear(root,
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h('div', { class: 'layout' },
      nav,
      h('div', { class: 'content' },
        h('header', { class: 'topbar' },
          h('span', { class: 'who', 'data-testid': 'who' }, whoLabel()),
          signOut),
        h('main', { id: 'main', tabindex: '-1' }, notice, status, main))));
  route();
}

async function route() {
  if (!state.who) return;
  const { segments, query } = parseHash();
  const page = pages.find(p => p.path === segments[0]) ?? pages[0];
  for (const link of root.querySelectorAll('.sidebar a[data-page]')) {
    if (link.dataset.page === page.path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }

  resetNotices();
  const token = ++renderToken;
  clear(main, h('p', { class: 'loading' }, 'Loading…'));
  const container = h('div');
  try {
    await page.module.render(container, { id: segments[1], query }, context);
  } catch (error) {
    if (token !== renderToken) return;
    clear(main);
    fail(error);
    return;
  }

  if (token !== renderToken) return;
  clear(main, container);
  document.title = `${container.querySelector('h1')?.textContent ?? page.label} · Herald`;
  const heading = container.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

window.addEventListener('hashchange', route);

async function start() {
  if (!session.key) {
    renderSignIn();
    return;
  }

  try {
    await loadSession(session.key);
    renderShell();
  } catch (error) {
    session.signOut();
    renderSignIn(error);
  }
}

start();

// Builds the page with DOM methods only: text from the API is never parsed as HTML.

/** Creates an element: h('a', { href: '#/x', class: 'link' }, 'text', child). */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked' || name === 'selected' || name === 'disabled' || name === 'hidden') { element[name] = Boolean(value); }
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(element, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

let idCounter = 0;
export const uid = (prefix = 'f') => `${prefix}-${++idCounter}`;

/** A labelled form field: the label is tied to the control, hints are read with it. */
export function field(label, control, hint) {
  const id = control.id || uid();
  control.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export function select(name, options, value) {
  return h('select', { name },
    options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === (value ?? '') }, text)));
}

/** Herald's instants look like 2026-05-20T13:54:20+0000; shown in the browser's time zone. */
export function parseTime(text) {
  if (!text) return null;
  const iso = text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

const pad = n => String(n).padStart(2, '0');
export function formatTime(text, { seconds = true } = {}) {
  const date = parseTime(text);
  if (!date) return '—';
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}${seconds ? `:${pad(date.getSeconds())}` : ''}`;
  return `${day} ${time}`;
}

export function time(text) {
  return text ? h('time', { datetime: text, title: `${text} (UTC)` }, formatTime(text)) : '—';
}

/** A datetime-local value (browser time) as an ISO 8601 instant, or undefined when empty. */
export function toInstant(localValue) {
  if (!localValue) return undefined;
  const date = new Date(localValue);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function toLocalInput(isoText) {
  const date = isoText ? new Date(isoText) : null;
  if (!date || Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function badge(status) {
  const text = String(status ?? '').toLowerCase();
  return h('span', { class: `badge badge-${text}` }, text.replace('_', ' '));
}

export function code(text) {
  return h('code', { class: 'id' }, text);
}

export function copyButton(text, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'button button-small' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy';
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

/** A definition list of [term, value] pairs. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', null, term), h('dd', null, value ?? '—')]));
}

export function emptyRow(columns, text) {
  return h('tr', null, h('td', { colspan: columns, class: 'empty' }, text));
}

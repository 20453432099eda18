import { h, uid } from './dom.js';

/** Previous / next for the API's page_num + has_more paging. */
export function pager(pageNum, hasMore, go, label = 'Pages') {
  const previous = h('button', { type: 'button', class: 'button', disabled: pageNum <= 0 }, '← Previous');
  const next = h('button', { type: 'button', class: 'button', disabled: !hasMore }, 'Next →');
  previous.addEventListener('click', () => go(pageNum - 1));
  next.addEventListener('click', () => go(pageNum + 1));
  return h('nav', { class: 'pager', 'aria-label': label }, previous, h('span', { class: 'muted' }, `Page ${pageNum + 1}`), next);
}

/**
 * The event picker: every catalog type as a checkbox, grouped by resource, with a filter box, or "all events".
 * value() gives the API's {events} or {all_events: true}.
 */
export function eventPicker(catalog, { events = [], allEvents = false, allowPartner = false } = {}) {
  const chosen = new Set(events);
  const types = catalog.filter(t => allowPartner || t.name !== 'partner_connection.disconnected');
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const all = h('input', { type: 'checkbox', name: 'all_events', checked: allEvents });
  const filter = h('input', { type: 'search', placeholder: 'Filter event types', 'aria-label': 'Filter event types' });
  const groups = new Map();
  for (const type of types) {
    const group = type.name.split('.')[0];
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(type);
  }

  const boxes = [];
  const list = h('div', { class: 'picker-list' }, [...groups].map(([group, members]) => {
    const groupBox = h('input', { type: 'checkbox', 'aria-label': `All ${group} events` });
    const items = members.map(type => {
      const id = uid('evt');
      const box = h('input', { type: 'checkbox', id, value: type.name, name: 'events', checked: chosen.has(type.name) });
      boxes.push(box);
      return h('li', { 'data-name': type.name },
        box, h('label', { for: id, title: type.description }, type.name));
    });
    groupBox.addEventListener('change', () => {
      for (const li of items) {
        const box = li.querySelector('input');
        if (!li.hidden) box.checked = groupBox.checked;
      }
      update();
    });
    return h('fieldset', { class: 'picker-group' }, h('legend', null, groupBox, ` ${group}`), h('ul', null, items));
  }));

  function update() {
    const selected = boxes.filter(b => b.checked).length;
    count.textContent = all.checked ? 'All current and future event types' : `${selected} selected`;
    list.classList.toggle('is-disabled', all.checked);
    filter.disabled = all.checked;
    for (const box of boxes) box.disabled = all.checked;
  }

  filter.addEventListener('input', () => {
    const text = filter.value.trim().toLowerCase();
    for (const li of list.querySelectorAll('li')) li.hidden = text !== '' && !li.dataset.name.includes(text);
  });
  list.addEventListener('change', update);
  all.addEventListener('change', update);
  update();

  const element = h('fieldset', { class: 'picker' },
    h('legend', null, 'Events'),
    h('div', { class: 'picker-head' },
      h('label', { class: 'check' }, all, ' Subscribe to all events'),
      filter, count),
    list);
  return {
    element,
    value: () => all.checked ? { all_events: true } : { events: boxes.filter(b => b.checked).map(b => b.value) },
  };
}

/** A table with a caption (for screen readers) and header cells. */
export function table(caption, headers, rows, { className = '' } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: `table ${className}` },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map(header => typeof header === 'string' ? h('th', { scope: 'col' }, header) : header))),
      h('tbody', null, rows)));
}

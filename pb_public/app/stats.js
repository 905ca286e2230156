// A statistics panel: range controls (interval, from, to), totals and a chart
// drawn from a DRF statistics route. Used by the creator's overview (all its
// tools) and by each tool's dashboard.
import { drf, describeError } from './api.js';
import { h, replace, loading, errorBox, day } from './dom.js';

// statsPanel(path, totals(body) → [[label, value, testid]], onBody, chart)
// returns {el, reload, close}; chart holds drawStats's options (extra lines).
export function statsPanel(path, totals, onBody, chart = {}) {
  const today = new Date();
  const from = new Date(today.getTime() - 29 * 86400_000);
  const uid = Math.random().toString(36).slice(2, 7);
  const interval = h('select', { id: `iv-${uid}`, name: 'interval' },
    h('option', { value: 'day' }, 'By day'), h('option', { value: 'week' }, 'By week'), h('option', { value: 'month' }, 'By month'));
  const fromIn = h('input', { type: 'date', id: `from-${uid}`, name: 'from', value: day(from), max: day(today) });
  const toIn = h('input', { type: 'date', id: `to-${uid}`, name: 'to', value: day(today), max: day(today) });
  const err = h('p', { class: 'form-error', role: 'alert' });
  const figures = h('dl', { class: 'figures', 'aria-live': 'polite' });
  const box = h('div', { class: 'chart-box' }, loading('Loading statistics…'));
  const controls = h('form', { class: 'toolbar', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: interval.id }, 'Interval'), interval),
    h('div', { class: 'field' }, h('label', { for: fromIn.id }, 'From'), fromIn),
    h('div', { class: 'field' }, h('label', { for: toIn.id }, 'To'), toIn),
    err);
  const el = h('div', { class: 'stats' }, controls, figures, box);
  let release = null;
  let seq = 0;

  async function reload() {
    const mine = ++seq;
    err.textContent = '';
    try {
      const body = await drf(path, { query: { interval: interval.value, from: fromIn.value, to: toIn.value } });
      if (mine !== seq) return;
      replace(figures, totals(body).map(([label, value, testid]) => h('div', null, h('dt', null, label), h('dd', { testid }, String(value)))));
      if (release) release();
      const { drawStats } = await import('./chart.js');
      if (mine !== seq) return;
      release = await drawStats(box, body.series, { revenueLabel: 'Points spent', ...chart });
      if (onBody) onBody(body);
    } catch (e) {
      if (mine !== seq) return;
      err.textContent = `The statistics could not be loaded: ${describeError(e)}`;
      if (!release) replace(box, errorBox('No chart to show.'));
    }
  }
  for (const c of [interval, fromIn, toIn]) c.addEventListener('change', reload);
  return { el, reload, close: () => { seq++; if (release) release(); } };
}

// Charts of uses and points over time, drawn by uPlot (loaded on first use, so
// the catalog never pays for it). Each chart has a table of the same numbers
// for screen readers.
import { h, replace } from './dom.js';

let uplot = null;
// whole-number ticks: uses and points are counts
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1e6, 1e7, 1e8, 1e9];

async function load() {
  if (!uplot) {
    if (!document.querySelector('link[data-uplot]')) {
      document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/uplot/uPlot.min.css', 'data-uplot': '' }));
    }
    uplot = (await import('/vendor/uplot/uPlot.esm.js')).default;
  }
  return uplot;
}

// drawStats draws series [{period, uses, points_spent}] in box; extra lines
// [{key, label}] draw more points of each period on the points axis (the
// admin's fees). It returns a function that releases the chart.
export async function drawStats(box, series, { revenueLabel = 'Points spent', extra = [] } = {}) {
  const UPlot = await load();
  const xs = series.map((p) => Date.parse(`${p.period}T00:00:00Z`) / 1000);
  const uses = series.map((p) => p.uses);
  const pts = series.map((p) => p.points_spent);
  const more = extra.map((x) => series.map((p) => p[x.key] ?? 0));
  const half = (xs.length > 1 ? xs[1] - xs[0] : 86400) / 2; // room for the first and last bars
  const width = () => Math.max(280, box.clientWidth || 600);
  const total = uses.reduce((a, b) => a + b, 0);
  const plot = h('div', { class: 'chart' });
  const table = h('table', null,
    h('caption', null, `Uses and ${revenueLabel.toLowerCase()} by period`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Period'), h('th', { scope: 'col' }, 'Uses'), h('th', { scope: 'col' }, revenueLabel),
      extra.map((x) => h('th', { scope: 'col' }, x.label)))),
    h('tbody', null, series.map((p) => h('tr', null, h('td', null, p.period), h('td', null, String(p.uses)), h('td', null, String(p.points_spent)),
      extra.map((x) => h('td', null, String(p[x.key] ?? 0)))))));
  replace(box, plot, h('div', { class: 'sr-only' }, table));
  const u = new UPlot({
    width: width(),
    height: 220,
    scales: { x: { time: true, range: (_, min, max) => [min - half, max + half] }, uses: { auto: true, range: (_, min, max) => [0, Math.max(1, max)] }, pts: { auto: true, range: (_, min, max) => [0, Math.max(1, max)] } },
    axes: [
      {},
      { scale: 'uses', label: 'Uses', size: 50, incrs: WHOLE },
      { scale: 'pts', label: revenueLabel, side: 1, grid: { show: false }, size: 60, incrs: WHOLE },
    ],
    series: [
      {},
      { label: 'Uses', scale: 'uses', stroke: '#2456c7', width: 1, fill: 'rgba(36,86,199,0.45)', paths: UPlot.paths.bars({ size: [0.6, 40] }), points: { show: false } },
      { label: revenueLabel, scale: 'pts', stroke: '#b4540a', width: 2, dash: [6, 4], points: { show: series.length < 40 } },
      ...extra.map((x) => ({ label: x.label, scale: 'pts', stroke: x.color || '#1d7a4a', width: 2, points: { show: series.length < 40 } })),
    ],
    legend: { live: false },
  }, [xs, uses, pts, ...more], plot);
  const canvas = u.root.querySelector('canvas');
  canvas.dataset.testid = 'stats-chart';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Chart: ${total} uses over ${series.length} periods`);
  const onResize = () => u.setSize({ width: width(), height: 220 });
  window.addEventListener('resize', onResize);
  return () => {
    window.removeEventListener('resize', onResize);
    u.destroy();
  };
}

// The catalog: ACTIVE tools, searched and filtered through the records API
// (the tools collection's rules decide what a user sees), paged.
import { pb, describeError } from '../api.js';
import { h, replace, loading, empty, errorBox, setTitle, points, stars, CATEGORIES, categoryLabel } from '../dom.js';

const PER_PAGE = 12;

export async function render({ view, query, setQuery }) {
  let q = query.q || '';
  let category = query.category || '';
  let page = Math.max(1, parseInt(query.page, 10) || 1);

  const search = h('input', {
    type: 'search', id: 'catalog-q', testid: 'catalog-search', value: q, placeholder: 'Name, description or tag',
    autocomplete: 'off', 'aria-controls': 'catalog-results',
  });
  const cat = h('select', { id: 'catalog-cat', testid: 'catalog-category', 'aria-controls': 'catalog-results', value: category },
    h('option', { value: '' }, 'All categories'), CATEGORIES.map(([v, l]) => h('option', { value: v }, l)));
  const results = h('div', { id: 'catalog-results', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Catalog pages' });

  replace(view,
    h('h1', null, 'Catalog'),
    h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => { e.preventDefault(); page = 1; load(); } },
      h('div', { class: 'field grow' }, h('label', { for: 'catalog-q' }, 'Search tools'), search),
      h('div', { class: 'field' }, h('label', { for: 'catalog-cat' }, 'Category'), cat)),
    results, pager);
  setTitle(view, 'Catalog');
  search.focus();

  let seq = 0;
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { page = 1; load(); }, 250);
  });
  cat.addEventListener('change', () => { page = 1; load(); });

  async function load() {
    const mine = ++seq;
    q = search.value.trim();
    category = cat.value;
    setQuery({ q, category, page: page > 1 ? page : '' });
    results.setAttribute('aria-busy', 'true');
    if (!results.firstChild) replace(results, loading('Loading tools…'));
    const filter = ['status = "ACTIVE"'];
    for (const word of q.split(/[\s,]+/).filter(Boolean).slice(0, 8)) {
      filter.push(pb.filter('(name ~ {:w} || description ~ {:w} || tags ~ {:w})', { w: word }));
    }
    if (category) filter.push(pb.filter('category = {:c}', { c: category }));
    try {
      const list = await pb.collection('tools').getList(page, PER_PAGE, {
        filter: filter.join(' && '),
        sort: '-total_uses,-created_at',
        fields: 'id,name,description:excerpt(180,true),category,points_cost,average_rating,rating_count,version,tags',
      });
      if (mine !== seq) return;
      if (!list.items.length) {
        replace(results, empty(q || category ? 'No tool matches. Try other words or another category.' : 'No tools are published yet.'));
      } else {
        replace(results,
          h('p', { class: 'muted' }, `${list.totalItems} ${list.totalItems === 1 ? 'tool' : 'tools'}`),
          h('ul', { class: 'cards' }, list.items.map(card)));
      }
      renderPager(list);
      results.removeAttribute('aria-busy');
      if (!performance.getEntriesByName('catalog-interactive').length) performance.mark('catalog-interactive');
    } catch (err) {
      if (mine !== seq) return;
      replace(results, errorBox(`The catalog could not be loaded: ${describeError(err)}`));
      results.removeAttribute('aria-busy');
    }
  }

  function renderPager(list) {
    if (list.totalPages <= 1) {
      replace(pager);
      return;
    }
    const to = (p) => () => { page = p; load(); results.scrollIntoView({ block: 'start' }); };
    replace(pager,
      h('button', { type: 'button', class: 'btn btn-quiet', disabled: page <= 1, onclick: to(page - 1) }, '← Previous'),
      h('span', null, `Page ${list.page} of ${list.totalPages}`),
      h('button', { type: 'button', class: 'btn btn-quiet', disabled: page >= list.totalPages, onclick: to(page + 1) }, 'Next →'));
  }

  await load();
  return () => clearTimeout(timer);
}

function card(tool) {
  return h('li', null,
    h('a', { class: 'card tool-card', href: `#/tools/${encodeURIComponent(tool.id)}`, testid: 'tool-card' },
      h('h2', { class: 'card-title' }, tool.name),
      h('p', { class: 'meta' },
        h('span', { class: 'tag' }, categoryLabel(tool.category)),
        h('span', { class: 'cost' }, tool.points_cost === 0 ? 'Free' : points(tool.points_cost)),
        h('span', { class: 'rating', title: `Average rating ${tool.average_rating} of 5` },
          tool.rating_count ? `${stars(tool.average_rating)} ${tool.average_rating} (${tool.rating_count})` : 'No reviews yet')),
      tool.description && h('p', { class: 'excerpt' }, tool.description)));
}

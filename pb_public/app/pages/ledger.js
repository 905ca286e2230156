// The user's points ledger (records API): every balance change with the
// balance right after it.
import { pb, describeError } from '../api.js';
import { h, replace, labelled, loading, empty, errorBox, setTitle, when } from '../dom.js';
import * as session from '../session.js';

const KIND = {
  GRANT: 'Points granted', DEDUCT: 'Points deducted', USAGE: 'Tool use', EARNING: 'Earning from a use',
  REFUND: 'Refund', PAYOUT: 'Payout', ADJUSTMENT: 'Adjustment',
};

export async function render({ view, query, setQuery }) {
  const me = session.user();
  let page = Math.max(1, parseInt(query.page, 10) || 1);
  const list = h('div', { 'aria-live': 'polite' }, loading('Loading your ledger…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Ledger pages' });
  replace(view,
    h('h1', null, 'Points'),
    h('p', { class: 'lead' }, `Balance: ${me.points_balance} points. Every change of a balance is a row here, with the balance right after it.`),
    list, pager);
  setTitle(view, 'Points');

  async function load() {
    setQuery({ page: page > 1 ? page : '' });
    try {
      const res = await pb.collection('point_transactions').getList(page, 25, {
        filter: pb.filter('user = {:u}', { u: me.id }), sort: '-created_at',
        fields: 'id,account,kind,amount,balance_after,note,created_at',
      });
      if (!res.items.length) replace(list, empty('No points yet. An admin grants points; your uses and refunds appear here.'));
      else {
        replace(list, labelled(h('table', { class: 'table' },
          h('caption', { class: 'sr-only' }, 'Your ledger'),
          h('thead', null, h('tr', null, ['When', 'What', 'Account', 'Amount', 'Balance after', 'Note'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, res.items.map((r) => h('tr', { testid: 'ledger-row' },
            h('td', null, when(r.created_at)),
            h('td', null, KIND[r.kind] || r.kind),
            h('td', null, r.account === 'revenue' ? 'Revenue' : 'Points'),
            h('td', { class: `num ${r.amount < 0 ? 'neg' : 'pos'}` }, r.amount > 0 ? `+${r.amount}` : String(r.amount)),
            h('td', { class: 'num' }, String(r.balance_after)),
            h('td', null, r.note)))))));
      }
      replace(pager, res.totalPages > 1 && [
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page <= 1, onclick: () => { page--; load(); } }, '← Newer'),
        h('span', null, `Page ${res.page} of ${res.totalPages}`),
        h('button', { type: 'button', class: 'btn btn-quiet', disabled: page >= res.totalPages, onclick: () => { page++; load(); } }, 'Older →')]);
    } catch (err) {
      replace(list, errorBox(`Your ledger could not be loaded: ${describeError(err)}`));
    }
  }
  await load();
}

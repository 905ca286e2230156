// A published site page (site_pages, public). Its body is HTML written by
// admins; it is never inserted as HTML: it is parsed into an inert document
// (DOMParser runs no script and loads nothing) and rebuilt element by element
// from an allow-list, text as text, links only to http(s), mailto or in-app.
import { pb } from '../api.js';
import { h, replace, setTitle, safeUrl } from '../dom.js';

const ALLOWED = new Set(['P', 'H2', 'H3', 'H4', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'B', 'I', 'U', 'CODE', 'PRE', 'BLOCKQUOTE', 'BR', 'HR', 'A', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD']);
const DROP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'NOSCRIPT', 'SVG', 'MATH']);

export function sanitize(html) {
  const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
  const out = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) to.append(document.createTextNode(node.textContent));
      else if (node.nodeType === Node.ELEMENT_NODE) {
        const tag = node.tagName.toUpperCase();
        if (DROP.has(tag)) continue;
        if (!ALLOWED.has(tag)) {
          copy(node, to); // unknown wrappers (div, span, h1…) keep their text
          continue;
        }
        const el = document.createElement(tag === 'H1' ? 'h2' : tag.toLowerCase());
        if (tag === 'A') {
          const href = safeUrl(node.getAttribute('href') || '');
          if (href) el.setAttribute('href', href);
          if (/^https?:/i.test(href)) el.setAttribute('rel', 'noopener noreferrer nofollow');
        }
        copy(node, el);
        to.append(el);
      }
    }
  };
  copy(doc.body, out);
  return out;
}

export async function render({ view, params }) {
  const page = await pb.collection('site_pages').getFirstListItem(pb.filter('slug = {:s} && published = true', { s: params.slug }));
  replace(view, h('article', { class: 'prose' }, h('h1', null, page.title), sanitize(page.body)));
  setTitle(view, page.title);
}

// Site content: pages (in the footer) and announcements; create, edit,
// publish and unpublish, delete. The body is rich text as the HTML subset
// that site pages render; the preview beside the editor is built by the same
// allow-list sanitiser the public page uses (pages/site.js), so it shows
// exactly what visitors will see, and nothing the admin typed runs.
import { drf, describeError, showErrors, clearErrors, busy } from '../../api.js';
import { h, replace, labelled, loading, empty, errorBox, field, setTitle, when } from '../../dom.js';
import { ask } from '../../dialog.js';
import { sanitize } from '../site.js';
import { frame } from './shell.js';

const KINDS = [['PAGE', 'Page (linked in the footer)'], ['ANNOUNCEMENT', 'Announcement']];
const changed = () => window.dispatchEvent(new Event('toolbase:site-pages'));

export const list = {
  async render({ view }) {
    const box = h('div', { 'aria-live': 'polite' }, loading('Loading the site pages…'));
    const cleanup = frame(view, 'pages',
      h('div', { class: 'head-row' }, h('h1', null, 'Site pages'), h('a', { href: '#/admin/pages/new', class: 'btn', testid: 'page-new' }, 'New page')),
      h('p', { class: 'lead' }, 'Published pages are public and linked in the footer; announcements are published news. Drafts are seen by admins only.'),
      box);
    setTitle(view, 'Site pages');

    async function load() {
      try {
        const res = await drf('/api/content/', { query: { page_size: 100 } });
        replace(box, res.results.length
          ? labelled(h('table', { class: 'table' }, h('caption', { class: 'sr-only' }, 'Site pages'),
            h('thead', null, h('tr', null, ['Title', 'Address', 'Kind', 'State', 'Updated', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, res.results.map((p) => {
              const toggle = h('button', { type: 'button', class: 'btn btn-small btn-quiet', testid: 'page-toggle' }, p.published ? 'Unpublish' : 'Publish');
              const err = h('p', { class: 'form-error', role: 'alert' });
              toggle.addEventListener('click', () => busy(toggle, 'Saving…', async () => {
                try {
                  await drf(`/api/content/${encodeURIComponent(p.slug)}/`, { method: 'PATCH', body: { published: !p.published } });
                  changed();
                  await load();
                } catch (e) {
                  err.textContent = describeError(e);
                }
              }));
              return h('tr', { testid: 'page-row' },
                h('td', null, h('a', { href: `#/admin/pages/${encodeURIComponent(p.slug)}` }, p.title)),
                h('td', null, p.published ? h('a', { href: `#/pages/${encodeURIComponent(p.slug)}` }, `/pages/${p.slug}`) : `/pages/${p.slug}`),
                h('td', null, p.kind === 'ANNOUNCEMENT' ? 'Announcement' : 'Page'),
                h('td', null, h('span', { class: `badge ${p.published ? 'badge-active' : 'badge-draft'}` }, p.published ? 'Published' : 'Draft')),
                h('td', null, when(p.updated_at)),
                h('td', null, toggle, err));
            }))))
          : empty('No site pages yet.'));
      } catch (err) {
        replace(box, errorBox(`The site pages could not be loaded: ${describeError(err)}`));
      }
    }
    await load();
    return cleanup;
  },
};

// tags the toolbar wraps the selection in
const TOOLBAR = [
  ['Paragraph', '<p>', '</p>'], ['Heading', '<h2>', '</h2>'], ['Bold', '<strong>', '</strong>'], ['Italic', '<em>', '</em>'],
  ['List item', '<ul>\n  <li>', '</li>\n</ul>'], ['Link', '<a href="https://">', '</a>'], ['Code', '<code>', '</code>'],
];

export const editor = {
  async render({ view, params, go }) {
    const slug = params.slug || '';
    const page = slug ? await drf(`/api/content/${encodeURIComponent(slug)}/`) : { slug: '', title: '', body: '', kind: 'PAGE', published: false };
    const status = h('p', { class: 'form-error', role: 'alert' });
    const ok = h('p', { class: 'ok', role: 'status' });
    const save = h('button', { type: 'submit', class: 'btn', testid: 'page-save' }, slug ? 'Save' : 'Create the page');
    const preview = h('div', { class: 'prose preview', testid: 'page-preview', 'aria-live': 'polite' });
    const form = h('form', { class: 'form', novalidate: true },
      h('div', { class: 'row2' },
        field({ label: 'Title', name: 'title', testid: 'page-title', maxlength: 200, required: true, value: page.title }),
        field({ label: 'Address (slug)', name: 'slug', testid: 'page-slug', maxlength: 100, required: true, value: page.slug,
          hint: 'Lowercase words joined by hyphens: terms-of-use → /pages/terms-of-use' })),
      field({ label: 'Kind', name: 'kind', testid: 'page-kind', kind: 'select', options: KINDS, value: page.kind }),
      h('div', { class: 'toolbar md-tools', role: 'toolbar', 'aria-label': 'Formatting' }, TOOLBAR.map(([label, open, close]) =>
        h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => wrap(open, close) }, label))),
      field({ label: 'Body', name: 'body', testid: 'page-body', kind: 'textarea', rows: 14, value: page.body, spellcheck: 'true',
        hint: 'Rich text as HTML: paragraphs, headings, bold, italic, lists, links (http, https, mailto), quotes, code, tables. Anything else (scripts, images, styles, event handlers) is dropped: the preview shows what visitors see.' }),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'page-published', name: 'published', testid: 'page-published', checked: page.published }),
        h('label', { for: 'page-published' }, 'Published: public, and linked in the footer (pages)')),
      h('div', { class: 'actions' }, save,
        slug && h('button', { type: 'button', class: 'btn btn-quiet btn-danger-text', testid: 'page-delete', onclick: () => remove() }, 'Delete…'),
        status),
      ok);
    const body = form.elements.body;
    const showPreview = () => replace(preview, h('h2', { class: 'preview-title' }, form.elements.title.value || 'Untitled'), sanitize(body.value));
    form.addEventListener('input', showPreview);
    showPreview();

    function wrap(open, close) {
      const { selectionStart: a, selectionEnd: b, value } = body;
      body.value = value.slice(0, a) + open + value.slice(a, b) + close + value.slice(b);
      body.focus();
      body.setSelectionRange(a + open.length, b + open.length);
      showPreview();
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      status.textContent = '';
      ok.textContent = '';
      const data = { title: form.elements.title.value.trim(), slug: form.slug.value.trim(), kind: form.kind.value, body: body.value, published: form.published.checked };
      for (const [name, what] of [['title', 'a title'], ['slug', 'an address']]) {
        if (!data[name]) {
          form.querySelector(`[data-error-for="${name}"]`).textContent = `Give the page ${what}.`;
          form.elements[name].setAttribute('aria-invalid', 'true');
          form.elements[name].focus();
          return;
        }
      }
      await busy(save, 'Saving…', async () => {
        try {
          const saved = await drf(slug ? `/api/content/${encodeURIComponent(slug)}/` : '/api/content/', { method: slug ? 'PATCH' : 'POST', body: data });
          changed();
          if (saved.slug !== slug) go(`/admin/pages/${saved.slug}`);
          else ok.textContent = `Saved${saved.published ? ': published' : ' as a draft'}.`;
        } catch (err) {
          status.textContent = showErrors(form, err);
        }
      });
    });

    async function remove() {
      const done = await ask({
        title: `Delete “${page.title}”?`,
        message: 'The page disappears from the site at once. To keep it but hide it, unpublish it instead.',
        ok: 'Delete', danger: true,
        run: () => drf(`/api/content/${encodeURIComponent(slug)}/`, { method: 'DELETE' }),
      });
      if (done) {
        changed();
        go('/admin/pages');
      }
    }

    const cleanup = frame(view, 'pages',
      h('p', { class: 'crumbs' }, h('a', { href: '#/admin/pages' }, '← Site pages')),
      h('h1', null, slug ? `Edit “${page.title}”` : 'New page'),
      h('div', { class: 'editor' },
        h('section', { class: 'card', 'aria-label': 'Editor' }, form),
        h('section', { class: 'card', 'aria-labelledby': 'prev-h' }, h('h2', { id: 'prev-h' }, 'Preview'), preview)));
    setTitle(view, slug ? page.title : 'New page');
    return cleanup;
  },
};

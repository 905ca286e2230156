// Create or edit a tool (the DRF tool routes; a new tool is a DRAFT).
import { drf, showErrors, clearErrors, busy } from '../api.js';
import { h, replace, field, setTitle, CATEGORIES } from '../dom.js';

export async function render({ view, params, go }) {
  const editing = Boolean(params.id);
  const tool = editing ? await drf(`/api/tools/tools/${encodeURIComponent(params.id)}/`) : null;
  const status = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn', testid: 'tool-form-submit' }, editing ? 'Save changes' : 'Create the draft');
  const form = h('form', { class: 'card form', novalidate: true },
    field({ label: 'Name', name: 'name', testid: 'tool-form-name', maxlength: 200, required: true, value: tool?.name || '' }),
    field({ label: 'Description', name: 'description', testid: 'tool-form-description', kind: 'textarea', rows: 5, maxlength: 10000,
      value: tool?.description || '', hint: 'What it does, what input it expects and what it answers. Plain text.' }),
    h('div', { class: 'row2' },
      field({ label: 'Category', name: 'category', testid: 'tool-form-category', kind: 'select', options: CATEGORIES, value: tool?.category || 'OTHER' }),
      field({ label: 'Points per use', name: 'points_cost', testid: 'tool-form-cost', type: 'number', min: 0, max: 1000000, inputmode: 'numeric',
        value: String(tool?.points_cost ?? 1), hint: 'You earn this minus the platform fee.' })),
    field({ label: 'Endpoint (optional)', name: 'api_endpoint', testid: 'tool-form-endpoint', type: 'url', maxlength: 200, value: tool?.api_endpoint || '',
      hint: 'An https URL that toolbase POSTs each use to, signed. Without one, uses are recorded and answered {"status": "accepted"}.' }),
    field({ label: 'Documentation link (optional)', name: 'api_documentation', testid: 'tool-form-docs', type: 'url', maxlength: 200, value: tool?.api_documentation || '' }),
    h('div', { class: 'row2' },
      field({ label: 'Tags (comma-separated)', name: 'tags', testid: 'tool-form-tags', value: (tool?.tags || []).join(', ') }),
      field({ label: 'Version', name: 'version', testid: 'tool-form-version', maxlength: 50, value: tool?.version || '1.0.0' })),
    h('div', { class: 'actions' }, submit, h('a', { class: 'btn btn-quiet', href: editing ? `#/creator/tools/${encodeURIComponent(tool.id)}` : '#/creator' }, 'Cancel'), status));

  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/creator' }, '← Creator console')),
    h('h1', null, editing ? `Edit ${tool.name}` : 'New tool'),
    !editing && h('p', { class: 'lead' }, 'A new tool is a draft: only you can see it and try it (free). Submit it for review when it is ready; an admin approves it and it goes live.'),
    form);
  setTitle(view, editing ? `Edit ${tool.name}` : 'New tool');

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    status.textContent = '';
    const body = {
      name: form.elements.name.value.trim(),
      description: form.description.value,
      category: form.category.value,
      points_cost: form.points_cost.value === '' ? 1 : Number(form.points_cost.value),
      api_endpoint: form.api_endpoint.value.trim(),
      api_documentation: form.api_documentation.value.trim(),
      tags: form.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      version: form.version.value.trim() || '1.0.0',
    };
    if (!body.name) {
      form.querySelector('[data-error-for="name"]').textContent = 'Give the tool a name.';
      form.elements.name.setAttribute('aria-invalid', 'true');
      form.elements.name.focus();
      return;
    }
    await busy(submit, 'Saving…', async () => {
      try {
        const saved = editing
          ? await drf(`/api/tools/tools/${encodeURIComponent(tool.id)}/`, { method: 'PATCH', body })
          : await drf('/api/tools/tools/', { method: 'POST', body: { ...body, status: 'DRAFT' } });
        go(`/creator/tools/${saved.id}`);
      } catch (err) {
        status.textContent = showErrors(form, err);
      }
    });
  });
  form.elements.name.focus();
}

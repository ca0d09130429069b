// Tenants: search by name, filter by status and environment, page through, create.
import { html, useState, useLayoutEffect, useData, ErrorNotice, Loading, Badge, Pager, Dialog, Field, useForm, rules, collect, when } from '../ui.js';
import { get, post, query } from '../api.js';
import { allowed } from '../policy.js';

const STATUSES = ['PENDING', 'ACTIVE', 'SUSPENDED', 'PARKED', 'FAILED', 'DEPROVISIONED'];
const ENVIRONMENTS = ['dev', 'sit', 'prod'];
const PAGE_SIZE = 20;

export function CreateTenant({ onClose }) {
  const form = useForm({ organizationName: '', contactEmail: '', environment: 'dev' },
    (v) => collect({ organizationName: rules.organizationName(v.organizationName), contactEmail: rules.email(v.contactEmail, 'contactEmail') }),
    async (v) => {
      const tenant = await post('tenants', { organizationName: v.organizationName.trim(), contactEmail: v.contactEmail.trim(), environment: v.environment });
      onClose();
      location.hash = `#/tenants/${encodeURIComponent(tenant.tenantId)}`;
    });
  return html`<${Dialog} title="Create a tenant" onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="Organisation name" name="organizationName" error=${form.fields.organizationName}>
        ${(a) => html`<input ...${a} value=${form.values.organizationName} onInput=${form.set('organizationName')} />`}<//>
      <${Field} label="Contact e-mail" name="contactEmail" error=${form.fields.contactEmail}>
        ${(a) => html`<input type="email" ...${a} value=${form.values.contactEmail} onInput=${form.set('contactEmail')} />`}<//>
      <${Field} label="Environment" name="environment" error=${form.fields.environment}>
        ${(a) => html`<select ...${a} value=${form.values.environment} onChange=${form.set('environment')}>
          ${ENVIRONMENTS.map((e) => html`<option value=${e}>${e}</option>`)}</select>`}<//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${form.busy}>Create tenant</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

export function Tenants({ params }) {
  const [name, setName] = useState(params.get('name') || '');
  const [status, setStatus] = useState(params.get('status') || '');
  const [environment, setEnvironment] = useState(params.get('environment') || '');
  const [tokens, setTokens] = useState([null]);  // the nextToken of each page seen so far
  const [creating, setCreating] = useState(false);
  const pageToken = tokens[tokens.length - 1];
  const filters = { organizationName: name.trim(), status, environment };
  const { data, error, loading } = useData(
    () => get(`tenants${query({ ...filters, limit: PAGE_SIZE, nextToken: pageToken })}`),
    [filters.organizationName, status, environment, pageToken]);
  useLayoutEffect(() => {
    // For the browser test's timing (docs/console.md): when the first page of data is in the
    // page (rendered into the document; the browser paints it next).
    if (data && performance.getEntriesByName('tenants:first-page').length === 0) {
      performance.mark('tenants:first-page');
    }
  }, [data]);
  const refilter = (setter) => (e) => { setter(e.currentTarget.value); setTokens([null]); };

  return html`<section>
    <div class="title-row">
      <h1 tabindex="-1">Tenants</h1>
      ${allowed('createTenant', null) ? html`<button type="button" class="primary" onClick=${() => setCreating(true)}>Create tenant</button>` : null}
    </div>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <div class="field"><label for="q-name">Name starts with</label>
        <input id="q-name" type="search" value=${name} onInput=${refilter(setName)} /></div>
      <div class="field"><label for="q-status">Status</label>
        <select id="q-status" value=${status} onChange=${refilter(setStatus)}>
          <option value="">Any</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></div>
      <div class="field"><label for="q-env">Environment</label>
        <select id="q-env" value=${environment} onChange=${refilter(setEnvironment)}>
          <option value="">Any</option>${ENVIRONMENTS.map((s) => html`<option value=${s}>${s}</option>`)}</select></div>
    </form>
    <${ErrorNotice} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`<div class="table-wrap"><table id="tenant-table" aria-busy=${loading ? 'true' : 'false'}>
      <caption class="visually-hidden">Tenants</caption>
      <thead><tr><th scope="col">Organisation</th><th scope="col">Status</th><th scope="col">Environment</th><th scope="col">Created</th></tr></thead>
      <tbody>${data.items.length === 0 ? html`<tr><td colspan="4" class="muted">No tenants match.</td></tr>` : data.items.map((t) => html`<tr>
        <td><a href=${`#/tenants/${encodeURIComponent(t.tenantId)}`}>${t.organizationName}</a></td>
        <td><${Badge} value=${t.status} /></td><td>${t.environment}</td><td>${when(t.createdAt)}</td></tr>`)}</tbody>
    </table></div>
    <${Pager} hasPrevious=${tokens.length > 1} hasNext=${!!data.nextToken}
      onPrevious=${() => setTokens(tokens.slice(0, -1))} onNext=${() => setTokens([...tokens, data.nextToken])} />` : null}
    ${creating ? html`<${CreateTenant} onClose=${() => setCreating(false)} />` : null}
  </section>`;
}

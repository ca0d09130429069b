// My tenants: the tenants the signed-in user belongs to, with their role in each.
import { html, useData, ErrorNotice, Loading, Badge, when } from '../ui.js';
import { get, query } from '../api.js';

export function MyTenants() {
  const { data, error, loading } = useData(() => get(`me/tenants${query({ limit: 100 })}`), []);
  return html`<section>
    <h1 tabindex="-1">My tenants</h1>
    <${ErrorNotice} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? (data.items.length === 0 ? html`<p class="muted">You are not a member of any tenant yet.</p>` : html`<ul class="cards">
      ${data.items.map((t) => html`<li class="card">
        <h2><a href=${`#/tenants/${encodeURIComponent(t.tenantId)}`}>${t.organizationName}</a></h2>
        <p><${Badge} value=${t.status} /> Your role: <strong>${t.role}</strong></p>
        <p class="muted">Member since ${when(t.assignedAt)}</p>
      </li>`)}</ul>`) : null}
  </section>`;
}

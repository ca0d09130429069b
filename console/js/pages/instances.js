// A tenant's instances: the list and the create dialog.
import { html, useState, useData, ErrorNotice, Loading, Badge, Dialog, Field, useForm, collect } from '../ui.js';
import { get, post, query } from '../api.js';
import { allowed } from '../policy.js';

export const TIERS = ['STANDARD', 'PROFESSIONAL', 'ENTERPRISE'];

function CreateInstance({ tenant, onClose }) {
  const form = useForm({ tier: 'STANDARD' }, () => collect({}), async (v) => {
    const accepted = await post(`tenants/${encodeURIComponent(tenant.tenantId)}/instances`, { tier: v.tier });
    onClose();
    location.hash = `#/instances/${encodeURIComponent(accepted.instanceId)}`;
  });
  return html`<${Dialog} title="Create an instance" onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <p>The instance is provisioned in the background; its page shows the progress.</p>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="Tier" name="tier" error=${form.fields.tier}>
        ${(a) => html`<select ...${a} value=${form.values.tier} onChange=${form.set('tier')}>
          ${TIERS.map((t) => html`<option value=${t}>${t}</option>`)}</select>`}<//>
      <div class="actions">
        <button type="submit" class="primary" disabled=${form.busy}>Create instance</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

export function Instances({ tenant, role }) {
  const [creating, setCreating] = useState(false);
  const { data, error, loading } = useData(() => get(`tenants/${encodeURIComponent(tenant.tenantId)}/instances${query({ limit: 100 })}`), [tenant.tenantId]);
  const canCreate = allowed('provision', role) && tenant.status === 'ACTIVE';
  return html`<div>
    ${canCreate ? html`<div class="actions"><button type="button" class="primary" onClick=${() => setCreating(true)}>Create instance</button></div>` : null}
    <${ErrorNotice} error=${error} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Instances</caption>
      <thead><tr><th scope="col">Instance</th><th scope="col">State</th><th scope="col">Tier</th><th scope="col">Running</th></tr></thead>
      <tbody>${data.items.length === 0 ? html`<tr><td colspan="4" class="muted">No instances.</td></tr>` : data.items.map((i) => html`<tr>
        <td><a href=${`#/instances/${encodeURIComponent(i.instanceId)}`}><code>${i.instanceId}</code></a></td>
        <td><${Badge} value=${i.state} /></td><td>${i.tier}</td><td>${i.runningCount} of ${i.desiredCount}</td></tr>`)}</tbody>
    </table></div>` : null}
    ${creating ? html`<${CreateInstance} tenant=${tenant} onClose=${() => setCreating(false)} />` : null}
  </div>`;
}

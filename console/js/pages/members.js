// Members and invitations of a tenant.
import { html, useState, useData, ErrorNotice, Loading, Badge, Dialog, Field, useForm, rules, collect, when } from '../ui.js';
import { get, post, put, del, link, query } from '../api.js';
import { allowed } from '../policy.js';

const ROLES = ['Admin', 'Operator', 'Viewer'];

function tenantPath(tenant, rest) {
  return `tenants/${encodeURIComponent(tenant.tenantId)}/${rest}`;
}

function PersonForm({ title, submitLabel, onSubmit, onClose, withMessage }) {
  const form = useForm({ email: '', role: 'Viewer', message: '' },
    (v) => collect({ email: rules.email(v.email) }),
    async (v) => {
      const body = { email: v.email.trim(), role: v.role };
      if (withMessage && v.message.trim()) body.message = v.message.trim();
      await onSubmit(body);
    });
  return html`<${Dialog} title=${title} onClose=${onClose}>
    <form onSubmit=${form.submit} novalidate>
      <${ErrorNotice} error=${form.error} />
      <${Field} label="E-mail" name="email" error=${form.fields.email}>
        ${(a) => html`<input type="email" ...${a} value=${form.values.email} onInput=${form.set('email')} />`}<//>
      <${Field} label="Role" name="role" error=${form.fields.role}>
        ${(a) => html`<select ...${a} value=${form.values.role} onChange=${form.set('role')}>
          ${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select>`}<//>
      ${withMessage ? html`<${Field} label="Message (optional)" name="message" error=${form.fields.message}>
        ${(a) => html`<textarea ...${a} rows="2" value=${form.values.message} onInput=${form.set('message')}></textarea>`}<//>` : null}
      <div class="actions">
        <button type="submit" class="primary" disabled=${form.busy}>${submitLabel}</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  <//>`;
}

export function Members({ tenant, role }) {
  const [adding, setAdding] = useState(false);
  const [actionError, setActionError] = useState(null);
  const { data, error, loading, reload } = useData(() => get(tenantPath(tenant, `users${query({ limit: 100 })}`)), [tenant.tenantId]);
  const manage = allowed('manageMembers', role) && tenant.status !== 'DEPROVISIONED';
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); reload(); } catch (e) { setActionError(e); }
  };
  return html`<div>
    ${manage ? html`<div class="actions"><button type="button" class="primary" onClick=${() => setAdding(true)}>Add member</button></div>` : null}
    <${ErrorNotice} error=${error || actionError} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Members</caption>
      <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Since</th>${manage ? html`<th scope="col">Actions</th>` : null}</tr></thead>
      <tbody>${data.items.map((m) => html`<tr>
        <td>${m.email}</td>
        <td>${manage ? html`<label class="visually-hidden" for=${`role-${m.userId}`}>Role of ${m.email}</label>
          <select id=${`role-${m.userId}`} value=${m.role}
            onChange=${(e) => { const r = e.currentTarget.value; act(() => put(tenantPath(tenant, `users/${encodeURIComponent(m.userId)}`), { role: r })); }}>
            ${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select>` : m.role}</td>
        <td>${when(m.assignedAt)}</td>
        ${manage ? html`<td><button type="button" class="danger small" aria-label=${`Remove ${m.email}`}
          onClick=${() => act(() => del(tenantPath(tenant, `users/${encodeURIComponent(m.userId)}`)))}>Remove</button></td>` : null}
      </tr>`)}</tbody></table></div>` : null}
    ${adding ? html`<${PersonForm} title="Add a member" submitLabel="Add member" onClose=${() => setAdding(false)}
      onSubmit=${async (body) => { await post(tenantPath(tenant, 'users'), body); setAdding(false); reload(); }} />` : null}
  </div>`;
}

export function Invitations({ tenant, role }) {
  const [inviting, setInviting] = useState(false);
  const [actionError, setActionError] = useState(null);
  const [sent, setSent] = useState(null);
  const { data, error, loading, reload } = useData(() => get(tenantPath(tenant, `invitations${query({ limit: 100 })}`)), [tenant.tenantId]);
  const manage = allowed('manageMembers', role) && tenant.status !== 'DEPROVISIONED';
  const act = async (fn, message) => {
    setActionError(null);
    setSent(null);
    try { await fn(); setSent(message); reload(); } catch (e) { setActionError(e); }
  };
  return html`<div>
    ${manage ? html`<div class="actions"><button type="button" class="primary" onClick=${() => setInviting(true)}>Invite</button></div>` : null}
    ${sent ? html`<div class="notice" role="status">${sent}</div>` : null}
    <${ErrorNotice} error=${error || actionError} />
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Invitations</caption>
      <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th>${manage ? html`<th scope="col">Actions</th>` : null}</tr></thead>
      <tbody>${data.items.length === 0 ? html`<tr><td colspan="5" class="muted">No invitations.</td></tr>` : data.items.map((i) => html`<tr>
        <td>${i.email}</td><td>${i.role}</td><td><${Badge} value=${i.status} /></td><td>${when(i.expiresAt)}</td>
        ${manage ? html`<td class="row-actions">
          ${link(i, 'resend') ? html`<button type="button" class="small" aria-label=${`Resend to ${i.email}`} onClick=${() => act(() => post(link(i, 'resend')), `Sent again to ${i.email}.`)}>Resend</button>` : null}
          ${link(i, 'cancel') ? html`<button type="button" class="small danger" aria-label=${`Cancel invitation of ${i.email}`} onClick=${() => act(() => del(link(i, 'cancel')), `Invitation of ${i.email} cancelled.`)}>Cancel</button>` : null}
        </td>` : null}
      </tr>`)}</tbody></table></div>` : null}
    ${inviting ? html`<${PersonForm} title="Invite someone" submitLabel="Send invitation" withMessage onClose=${() => setInviting(false)}
      onSubmit=${async (body) => { await post(tenantPath(tenant, 'invitations'), body); setInviting(false); setSent(`Invitation sent to ${body.email}.`); reload(); }} />` : null}
  </div>`;
}

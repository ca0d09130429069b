// The tenant's hierarchy (divisions > groups > teams) as an editable tree, saved whole.
import { html, useState, useData, ErrorNotice, Loading } from '../ui.js';
import { get, put, link } from '../api.js';
import { allowed } from '../policy.js';

const CHILD = { division: ['groups', 'group'], group: ['teams', 'team'] };

function clone(divisions) {
  return JSON.parse(JSON.stringify(divisions || []));
}

function Node({ node, kind, path, editable, onRename, onRemove, onAdd }) {
  const [childKey, childKind] = CHILD[kind] || [];
  const label = `${kind} ${path.map((i) => i + 1).join('.')}`;
  return html`<li>
    ${editable ? html`<span class="node">
        <label class="visually-hidden" for=${`n-${path.join('-')}`}>Name of ${label}</label>
        <input id=${`n-${path.join('-')}`} value=${node.name} size="18" onInput=${(e) => onRename(path, e.currentTarget.value)} />
        ${childKind ? html`<button type="button" class="small" onClick=${() => onAdd(path)} aria-label=${`Add a ${childKind} to ${node.name || label}`}>+ ${childKind}</button>` : null}
        <button type="button" class="small danger" onClick=${() => onRemove(path)} aria-label=${`Remove ${node.name || label}`}>Remove</button>
      </span>` : html`<span class="node-name">${node.name}</span> <span class="muted">${kind}</span>`}
    ${childKey && node[childKey]?.length ? html`<ul>${node[childKey].map((child, i) => html`<${Node} node=${child} kind=${childKind}
      path=${[...path, i]} editable=${editable} onRename=${onRename} onRemove=${onRemove} onAdd=${onAdd} />`)}</ul>` : null}
  </li>`;
}

export function Hierarchy({ tenant, role }) {
  const [draft, setDraft] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [saved, setSaved] = useState(false);
  const { data, error, loading, reload } = useData(() => get(`tenants/${encodeURIComponent(tenant.tenantId)}/hierarchy`), [tenant.tenantId]);
  const editable = allowed('updateTenant', role) && tenant.status !== 'DEPROVISIONED';
  const tree = draft || data?.divisions || [];

  // Finds the list holding the node at `path` and its index.
  const locate = (divisions, path) => {
    let list = divisions;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const key = depth === 0 ? 'groups' : 'teams';
      list[path[depth]][key] = list[path[depth]][key] || [];
      list = list[path[depth]][key];
    }
    return [list, path[path.length - 1]];
  };
  const edit = (fn) => { const next = clone(tree); fn(next); setDraft(next); setSaved(false); };
  const onRename = (path, name) => edit((d) => { const [list, i] = locate(d, path); list[i].name = name; });
  const onRemove = (path) => edit((d) => { const [list, i] = locate(d, path); list.splice(i, 1); });
  const onAdd = (path) => edit((d) => {
    const [list, i] = locate(d, path);
    const key = path.length === 1 ? 'groups' : 'teams';
    list[i][key] = [...(list[i][key] || []), { name: '' }];
  });
  const save = async () => {
    setSaveError(null);
    try {
      // Only names go back: the API refuses any other attribute.
      const strip = (d) => d.map((v) => ({ name: v.name.trim(), groups: (v.groups || []).map((g) => ({
        name: g.name.trim(), teams: (g.teams || []).map((t) => ({ name: t.name.trim() })) })) }));
      await put(link(data, 'self'), { divisions: strip(tree) });
      setDraft(null);
      setSaved(true);
      reload();
    } catch (e) {
      setSaveError(e);
    }
  };
  return html`<div>
    <${ErrorNotice} error=${error || saveError} />
    ${saveError && Object.keys(saveError.fields).length ? html`<ul class="field-error">${Object.entries(saveError.fields).map(([f, m]) => html`<li><code>${f}</code>: ${m}</li>`)}</ul>` : null}
    ${saved ? html`<div class="notice" role="status">Hierarchy saved.</div>` : null}
    ${loading && !data ? html`<${Loading} />` : null}
    ${data ? html`${tree.length === 0 ? html`<p class="muted">No divisions yet.</p>` : null}
      <ul class="tree">${tree.map((d, i) => html`<${Node} node=${d} kind="division" path=${[i]} editable=${editable}
        onRename=${onRename} onRemove=${onRemove} onAdd=${onAdd} />`)}</ul>
      ${editable ? html`<div class="actions">
        <button type="button" onClick=${() => edit((d) => d.push({ name: '' }))}>Add division</button>
        <button type="button" class="primary" disabled=${!draft} onClick=${save}>Save hierarchy</button>
        ${draft ? html`<button type="button" onClick=${() => { setDraft(null); setSaveError(null); }}>Discard changes</button>` : null}
      </div>` : null}` : null}
  </div>`;
}

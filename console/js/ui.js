// Shared pieces of every page: data loading, errors with request ids, fields with their
// errors, dialogs, charts, badges and paging.
import { html, useState, useEffect, useLayoutEffect, useRef, useCallback } from '../vendor/htm-preact-standalone.module.js';

export { html, useState, useEffect, useLayoutEffect, useRef, useCallback };

// Runs `load` when `deps` change; `reload` runs it again. The request starts as soon as the
// component is in the page (a layout effect), not a frame later (an effect waits for paint).
export function useData(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useLayoutEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function ErrorNotice({ error }) {
  if (!error) return null;
  return html`<div class="notice error" role="alert">
    <strong>${error.message}</strong>
    ${error.code && error.code !== 'ERROR' ? html` <span class="code">${error.code}</span>` : null}
    ${error.requestId ? html`<div class="muted">Request id: <code>${error.requestId}</code></div>` : null}
  </div>`;
}

export function Loading() {
  return html`<p class="muted" role="status">Loading…</p>`;
}

// A labelled input whose API field error is shown next to it (and announced with it).
export function Field({ label, name, error, hint, children }) {
  const id = `f-${name}`;
  return html`<div class=${`field${error ? ' invalid' : ''}`}>
    <label for=${id}>${label}</label>
    ${children({ id, name, 'aria-invalid': error ? 'true' : undefined,
      'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined })}
    ${hint && !error ? html`<small id=${`${id}-hint`} class="muted">${hint}</small>` : null}
    ${error ? html`<small id=${`${id}-error`} class="field-error">${error}</small>` : null}
  </div>`;
}

// A modal dialog (the platform's <dialog>: focus stays inside, Escape closes it).
export function Dialog({ title, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog && dialog.open && dialog.close();
  }, []);
  return html`<dialog ref=${ref} aria-labelledby="dialog-title" onCancel=${(e) => { e.preventDefault(); onClose(); }}>
    <h2 id="dialog-title">${title}</h2>
    ${children}
  </dialog>`;
}

// Submits a form through `action`; field errors (VALIDATION_ERROR) land next to their fields.
export function useForm(initial, validate, action) {
  const [values, setValues] = useState(initial);
  const [fields, setFields] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setValues((v) => ({ ...v, [name]: e.currentTarget.value }));
  const submit = async (e) => {
    e.preventDefault();
    const problems = validate(values);
    setFields(problems);
    setError(null);
    if (Object.keys(problems).length) {
      const first = document.getElementById(`f-${Object.keys(problems)[0]}`);
      if (first) first.focus();
      return;
    }
    setBusy(true);
    try {
      await action(values);
    } catch (err) {
      setFields(err.fields || {});
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { values, set, fields, error, busy, submit };
}

export function Badge({ value }) {
  return html`<span class=${`badge b-${String(value).toLowerCase()}`}>${value}</span>`;
}

// A small horizontal bar chart; every bar also carries its number as text.
export function Bars({ title, counts, empty = 'None yet' }) {
  const entries = Object.entries(counts || {});
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return html`<section class="card chart" aria-label=${title}>
    <h2>${title}</h2>
    ${entries.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul class="bars">
      ${entries.map(([label, n]) => html`<li>
        <span class="bar-label">${label}</span>
        <span class="bar-track"><span class="bar" style=${{ width: `${(100 * n) / max}%` }}></span></span>
        <span class="bar-value">${n}</span>
      </li>`)}
    </ul>`}
  </section>`;
}

export function Pager({ hasPrevious, hasNext, onPrevious, onNext }) {
  if (!hasPrevious && !hasNext) return null;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" disabled=${!hasPrevious} onClick=${onPrevious}>Previous</button>
    <button type="button" disabled=${!hasNext} onClick=${onNext}>Next</button>
  </nav>`;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// Client-side checks that mirror the API's rules (the API checks again).
export const rules = {
  required: (v, label) => (!String(v ?? '').trim() ? `${label} is required` : null),
  organizationName: (v) => {
    const t = String(v ?? '').trim();
    if (t.length < 2) return 'organizationName must be at least 2 characters';
    if (t.length > 100) return 'organizationName must be at most 100 characters';
    if (!/^[\p{L}\p{N} \-'.&,()]+$/u.test(t)) {
      return "organizationName may contain only letters, digits, spaces and the characters - ' . & , ( )";
    }
    return null;
  },
  email: (v, label = 'email') => {
    const t = String(v ?? '').trim();
    if (!t) return `${label} is required`;
    if (t.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) return `${label} must be a valid e-mail address`;
    return null;
  },
  reason: (v) => {
    const t = String(v ?? '').trim();
    if (t.length < 10) return 'reason must be at least 10 characters';
    if (t.length > 500) return 'reason must be at most 500 characters';
    return null;
  },
  nodeName: (v, label) => {
    const t = String(v ?? '').trim();
    if (!t) return null;
    if (t.length < 2 || t.length > 50) return `${label} must be 2..50 characters`;
    return null;
  },
};

export function collect(checks) {
  const out = {};
  for (const [field, message] of Object.entries(checks)) if (message) out[field] = message;
  return out;
}

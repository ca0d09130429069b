// The console's shell: sign-in gate, navigation and the hash router (every page is a
// #/path, so the server serves one index.html and links survive a sign-in).
import { html, useState, useEffect } from './ui.js';
import { current, subscribe, signOut, isPlatformStaff } from './session.js';
import { SignIn } from './pages/sign_in.js';
import { Overview } from './pages/overview.js';
import { Tenants } from './pages/tenants.js';
import { TenantPage } from './pages/tenant.js';
import { InstancePage } from './pages/instance.js';
import { MyTenants } from './pages/my_tenants.js';
import { AcceptInvitation } from './pages/invitation.js';

export function parseRoute(hash = location.hash) {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(search) };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const onChange = () => setRoute(parseRoute());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function page(route) {
  const [first, second, third] = route.parts;
  if (!first) return html`<${Overview} />`;
  if (first === 'tenants' && !second) return html`<${Tenants} params=${route.params} />`;
  if (first === 'tenants') return html`<${TenantPage} tenantId=${second} tab=${third || 'details'} />`;
  if (first === 'instances' && second) return html`<${InstancePage} instanceId=${second} />`;
  if (first === 'my-tenants') return html`<${MyTenants} />`;
  if (first === 'invitations' && second && third === 'accept') {
    return html`<${AcceptInvitation} invitationId=${second} token=${route.params.get('token') || ''} />`;
  }
  return html`<section><h1>Not found</h1><p>There is no console page at <code>${location.hash}</code>.</p>
    <p><a href="#/">Back to the overview</a></p></section>`;
}

const NAV = [
  ['#/', 'Overview', (r) => r.parts.length === 0],
  ['#/tenants', 'Tenants', (r) => r.parts[0] === 'tenants'],
  ['#/my-tenants', 'My tenants', (r) => r.parts[0] === 'my-tenants'],
];

export function App() {
  const [session, setSession] = useState(current());
  const route = useRoute();
  useEffect(() => subscribe(setSession), []);
  useEffect(() => {
    // Move focus to the new page's heading, so keyboard and screen-reader users follow along.
    const heading = document.querySelector('main h1');
    if (heading) heading.focus();
  }, [route, session && session.sub]);
  if (!session) return html`<${SignIn} route=${route} />`;
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/">tenantd</a>
      <nav aria-label="Main">
        <ul>${NAV.map(([href, label, active]) => html`<li>
          <a href=${href} aria-current=${active(route) ? 'page' : undefined}>${label}</a></li>`)}</ul>
      </nav>
      <div class="who">
        <span class="muted" title=${session.groups.join(', ')}>${session.email || session.sub}${isPlatformStaff() ? ' (platform)' : ''}</span>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${page(route)}</main>`;
}

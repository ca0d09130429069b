// Who is signed in: the token lives in sessionStorage (this tab only) and is dropped when it
// expires, with the page the user was on remembered for after the next sign-in.
const SESSION = 'tenantd.session';
const RETURN_TO = 'tenantd.returnTo';
const NOTICE = 'tenantd.notice';
const PKCE = 'tenantd.pkce';

export const settings = { signIn: 'code', authMode: 'local', cognito: null };
const listeners = new Set();
let session = read(SESSION);
let expiryTimer = 0;

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

function base64urlDecode(text) {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  return new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
}

function base64urlEncode(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener(session);
}

function armExpiry() {
  clearTimeout(expiryTimer);
  if (session) {
    const left = session.exp * 1000 - Date.now();
    expiryTimer = setTimeout(() => expire(), Math.max(0, Math.min(left, 2 ** 31 - 1)));
  }
}

// Starts a session from a JWT (its claims are read, not verified: the API verifies them).
export function signInWith(token) {
  const claims = JSON.parse(base64urlDecode(token.split('.')[1] || ''));
  let groups = claims['cognito:groups'] || claims.groups || [];
  if (typeof groups === 'string') groups = groups.split(/[ ,]+/).filter(Boolean);
  session = { token, email: claims.email || '', sub: claims.sub || '', groups, exp: claims.exp || 0 };
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  sessionStorage.removeItem(NOTICE);
  armExpiry();
  changed();
}

export function current() {
  if (session && session.exp * 1000 <= Date.now()) expire();
  return session;
}

// Ends the session because it is no longer valid; the current page is kept for later.
export function expire(message = 'Your session has expired. Sign in again to continue.') {
  if (!session) return;
  sessionStorage.setItem(RETURN_TO, location.hash || '#/');
  sessionStorage.setItem(NOTICE, message);
  sessionStorage.removeItem(SESSION);
  session = null;
  clearTimeout(expiryTimer);
  changed();
}

export function takeNotice() {
  return sessionStorage.getItem(NOTICE);
}

export function rememberPage() {
  sessionStorage.setItem(RETURN_TO, location.hash || '#/');
}

function returnToRemembered() {
  const target = sessionStorage.getItem(RETURN_TO) || location.hash || '#/';
  sessionStorage.removeItem(RETURN_TO);
  history.replaceState(null, '', location.pathname + target);
}

export function signOut() {
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(RETURN_TO);
  session = null;
  clearTimeout(expiryTimer);
  if (settings.signIn === 'cognito') {
    const c = settings.cognito;
    const back = location.origin + location.pathname;
    location.assign(`${c.domain}/logout?client_id=${encodeURIComponent(c.clientId)}` +
      `&logout_uri=${encodeURIComponent(back)}`);
    return;
  }
  history.replaceState(null, '', location.pathname + '#/');
  changed();
}

export function isPlatformAdmin(s = session) {
  return !!s && s.groups.includes('platform-admins');
}
export function isPlatformStaff(s = session) {
  return !!s && (isPlatformAdmin(s) || s.groups.includes('platform-operators'));
}

async function errorOf(response) {
  try {
    const body = await response.json();
    const requestId = body.requestId || response.headers.get('X-Request-Id') || '';
    return `${body.error?.message || body.error_description || response.statusText}` +
      (requestId ? ` (request ${requestId})` : '');
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// AUTH_MODE=local: the one-time code of a `tenantd console-link` link, exchanged once.
export async function exchangeCode(code) {
  const response = await fetch('session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!response.ok) throw new Error(await errorOf(response));
  signInWith((await response.json()).token);
}

// AUTH_MODE=cognito: the hosted UI with the authorization-code flow and PKCE (RFC 7636).
export async function startCognitoSignIn() {
  const c = settings.cognito;
  const verifier = base64urlEncode(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64urlEncode(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64urlEncode(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  if (!sessionStorage.getItem(RETURN_TO)) rememberPage();
  const params = new URLSearchParams({
    response_type: 'code', client_id: c.clientId, redirect_uri: location.origin + location.pathname,
    scope: 'openid email profile', state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${c.domain}/oauth2/authorize?${params}`);
}

async function finishCognitoSignIn(code, state) {
  const pkce = read(PKCE);
  sessionStorage.removeItem(PKCE);
  if (!pkce || pkce.state !== state) throw new Error('The sign-in response does not match this browser tab; sign in again.');
  const c = settings.cognito;
  const response = await fetch(`${c.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: c.clientId, code,
      redirect_uri: location.origin + location.pathname, code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) throw new Error(await errorOf(response));
  const tokens = await response.json();
  signInWith(tokens.id_token);
}

// Reads the console's settings and completes a sign-in that brought the browser here.
export async function boot() {
  try {
    // index.html carries the settings (src/console/console_front.cpp); config.json is the same.
    const meta = document.querySelector('meta[name="tenantd-console"]');
    Object.assign(settings, JSON.parse(meta.content));
  } catch {
    settings.signIn = 'unavailable';
  }
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  if (code) {
    // The code must not stay in the address bar or the history.
    history.replaceState(null, '', location.pathname + location.hash);
    try {
      if (settings.signIn === 'cognito') await finishCognitoSignIn(code, query.get('state'));
      else await exchangeCode(code);
      returnToRemembered();
    } catch (e) {
      sessionStorage.setItem(NOTICE, e.message);
    }
  }
  armExpiry();
  current();
}

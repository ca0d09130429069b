// Entry point: settles the session (finishing a sign-in that brought the browser here), then
// renders the console.
import { html, render } from '../vendor/htm-preact-standalone.module.js';
import { boot } from './session.js';
import { App } from './app.js';

boot().then(() => render(html`<${App} />`, document.getElementById('app')));

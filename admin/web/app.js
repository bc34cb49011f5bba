// Shared by every page: the token kept in sessionStorage, the API client that sends it as
// `Authorization: Bearer`, the header with navigation and sign-out, and small DOM helpers.
// No framework, no network but mctd itself.
'use strict';

const MCT = (() => {
  const TOKEN_KEY = 'mct_token';

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  function setToken(value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  }

  function clearToken() {
    sessionStorage.removeItem(TOKEN_KEY);
  }

  function signOut() {
    clearToken();
    location.assign('index.html');
  }

  // A failed call: the HTTP status and the server's {"code", "message"}.
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
    toString() {
      return this.code ? `${this.code}: ${this.message}` : this.message;
    }
  }

  // Calls the API with the token; answers the parsed JSON or throws ApiError.
  async function api(path, { method = 'GET', body, query } = {}) {
    let url = path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') params.set(key, value);
      }
      const text = params.toString();
      if (text) url += (url.includes('?') ? '&' : '?') + text;
    }
    const headers = { Accept: 'application/json' };
    const current = token();
    if (current) headers.Authorization = `Bearer ${current}`;
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      throw new ApiError(0, 'network', `The server could not be reached (${error.message}).`);
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (ignored) {
      json = null;
    }
    if (!response.ok) {
      // A token the server no longer takes (expired, removed) is forgotten, so that "Sign in
      // again" leads to the sign-in form rather than back to "You are signed in".
      if (response.status === 401) clearToken();
      const code = json && json.code ? json.code : `http_${response.status}`;
      const message = json && json.message ? json.message : `HTTP ${response.status} ${response.statusText}`;
      throw new ApiError(response.status, code, message);
    }
    if (json === null) throw new ApiError(response.status, 'bad_response', 'The server did not answer JSON.');
    return json;
  }

  // A fresh command_id. The same id sent again is answered with the command's first answer and
  // writes nothing (invariant 5), so an action whose answer was lost can be sent again safely.
  function newCommandId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));  // outside a secure context
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  // For a page that asks the server again before an earlier answer came: `const current =
  // turns.take()` before asking, `if (!current()) return` once answered, so that a late answer to
  // an earlier question never replaces the newer one on screen.
  function turns() {
    let latest = 0;
    return {
      take() {
        latest += 1;
        const mine = latest;
        return () => mine === latest;
      },
    };
  }

  // el('div', {class: 'x', dataset: {figure: 'n'}}, 'text', child...)
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // 123456 minor units → "1,234.56" (two decimals, as USD and most currencies have).
  function formatMinor(minor) {
    const negative = minor < 0;
    const absolute = Math.abs(minor);
    const whole = Math.floor(absolute / 100).toLocaleString('en-US');
    const cents = String(absolute % 100).padStart(2, '0');
    return `${negative ? '-' : ''}${whole}.${cents}`;
  }

  function formatCount(value) {
    return Number(value).toLocaleString('en-US');
  }

  // Today as YYYY-MM-DD in UTC: the server's days are UTC days.
  function todayUtc() {
    return new Date().toISOString().slice(0, 10);
  }

  function addDays(date, days) {
    const point = new Date(`${date}T00:00:00Z`);
    point.setUTCDate(point.getUTCDate() + days);
    return point.toISOString().slice(0, 10);
  }

  // Shows an ApiError (or any error) in `node`, with the code when the server sent one.
  function showError(node, error, prefix = '') {
    clear(node);
    node.hidden = false;
    node.classList.add('error');
    if (error && error.status === 401) {
      node.append(el('span', { class: 'code' }, error.code), ' ', error.message, ' ',
        el('a', { href: 'index.html' }, 'Sign in again'));
      return;
    }
    const code = error && error.code ? error.code : '';
    node.append(prefix ? `${prefix} ` : '', code ? el('span', { class: 'code', dataset: { errorCode: code } }, code) : '',
      code ? ' ' : '', el('span', { class: 'message' }, error && error.message ? error.message : String(error)));
  }

  function hideMessage(node) {
    clear(node);
    node.hidden = true;
  }

  // Every page but the sign-in page: redirect when there is no token, draw the header.
  function requireSignIn(current) {
    if (!token()) {
      location.replace(`index.html?next=${encodeURIComponent(location.pathname.split('/').pop() + location.search)}`);
      return false;
    }
    renderHeader(current);
    return true;
  }

  const PAGES = [
    { file: 'dashboard.html', id: 'nav-dashboard', label: 'Dashboard' },
    { file: 'console.html', id: 'nav-console', label: 'Support console' },
    { file: 'audit.html', id: 'nav-audit', label: 'Auditor view' },
  ];

  function renderHeader(current) {
    const header = document.getElementById('site-header');
    if (!header) return;
    clear(header);
    const nav = el('nav', { class: 'nav', 'aria-label': 'Views', hidden: !token() });
    for (const page of PAGES) {
      nav.append(el('a', {
        id: page.id,
        href: page.file,
        class: page.file === current ? 'active' : '',
        'aria-current': page.file === current ? 'page' : null,
      }, page.label));
    }
    header.append(
      el('a', { class: 'brand', href: 'index.html' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'MCT'), 'Renewal back office'),
      nav,
      token() ? el('button', { id: 'sign-out', type: 'button', class: 'secondary', onclick: signOut }, 'Sign out') : '',
    );
  }

  // An in-page confirmation step (never window.confirm): resolves with the dialog's form values
  // when confirmed, null when cancelled.
  function confirmDialog({ title, body, confirmLabel = 'Confirm', fields = [] }) {
    return new Promise((resolve) => {
      const dialog = document.getElementById('confirm-dialog');
      const form = dialog.querySelector('form');
      clear(dialog.querySelector('[data-slot=title]')).append(title);
      const bodySlot = clear(dialog.querySelector('[data-slot=body]'));
      bodySlot.append(...(Array.isArray(body) ? body : [body]));
      const fieldSlot = clear(dialog.querySelector('[data-slot=fields]'));
      for (const field of fields) {
        const input = field.multiline
          ? el('textarea', { id: `confirm-${field.name}`, name: field.name, rows: 3, required: field.required })
          : el('input', { id: `confirm-${field.name}`, name: field.name, type: 'text', required: field.required });
        input.addEventListener('input', () => input.setCustomValidity(''));
        fieldSlot.append(el('label', { for: `confirm-${field.name}` }, field.label), input);
      }
      const ok = dialog.querySelector('#confirm-ok');
      const cancel = dialog.querySelector('#confirm-cancel');
      ok.textContent = confirmLabel;
      const finish = (value) => {
        form.removeEventListener('submit', onSubmit);
        cancel.removeEventListener('click', onCancel);
        dialog.removeEventListener('cancel', onCancel);
        dialog.close();
        resolve(value);
      };
      const onSubmit = (event) => {
        event.preventDefault();
        // Spaces alone do not fill a required field: the server would refuse the empty text.
        for (const field of fields) {
          const input = form.elements[field.name];
          input.setCustomValidity(field.required && !input.value.trim() ? `${field.label}: required` : '');
        }
        if (!form.reportValidity()) return;
        const values = {};
        for (const field of fields) values[field.name] = form.elements[field.name].value.trim();
        finish(values);
      };
      const onCancel = (event) => {
        event.preventDefault();
        finish(null);
      };
      form.addEventListener('submit', onSubmit);
      cancel.addEventListener('click', onCancel);
      dialog.addEventListener('cancel', onCancel);
      dialog.showModal();
      const first = fieldSlot.querySelector('input, textarea');
      (first || ok).focus();
    });
  }

  return {
    token, setToken, clearToken, signOut, api, ApiError, newCommandId, turns, el, clear, formatMinor, formatCount,
    todayUtc, addDays, showError, hideMessage, requireSignIn, renderHeader, confirmDialog,
  };
})();

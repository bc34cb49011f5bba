// The sign-in page: checks the token against the API, keeps it in sessionStorage, and goes on to
// the page asked for (?next=) or the dashboard.
'use strict';

(() => {
  const { api, showError, hideMessage } = MCT;
  const signinPanel = document.getElementById('signin-panel');
  const homePanel = document.getElementById('home-panel');
  const form = document.getElementById('signin-form');
  const input = document.getElementById('token');
  const errorBox = document.getElementById('signin-error');

  // Only a page of this site may follow sign-in (never another origin).
  function nextPage() {
    const next = new URLSearchParams(location.search).get('next') || '';
    return /^[a-z]+\.html(\?[^#]*)?$/.test(next) ? next : 'dashboard.html';
  }

  function render() {
    MCT.renderHeader('index.html');
    const signedIn = Boolean(MCT.token());
    signinPanel.hidden = signedIn;
    homePanel.hidden = !signedIn;
    if (!signedIn) input.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    hideMessage(errorBox);
    const value = input.value.trim();
    if (!value) return;
    const button = document.getElementById('signin-submit');
    button.disabled = true;
    MCT.setToken(value);
    try {
      // Any back-office read proves the token: support and auditors read reports (ROLE-5).
      const month = MCT.todayUtc().slice(0, 7);
      await api('/v1/reports', { query: { month } });
      location.assign(nextPage());
    } catch (error) {
      MCT.clearToken();
      if (error.status === 401) {
        showError(errorBox, { code: error.code, message: 'The token is not valid. Check it and try again.' });
      } else if (error.status === 403) {
        showError(errorBox, { code: error.code, message: 'This token is valid, but its role may not use the back office (support or auditor tokens only).' });
      } else {
        showError(errorBox, error);
      }
      render();
    } finally {
      button.disabled = false;
    }
  });

  render();
})();

// The support console: find a trainer by MCID or e-mail (AUDIT-3), read the status and the
// timeline, refund an order (REF-1) and switch back a mistaken alumni application (ALUM-2), each
// behind an in-page confirmation, showing the server's {"code", "message"} when it refuses.
'use strict';

(() => {
  if (!MCT.requireSignIn('console.html')) return;
  const { el, clear, api, showError, hideMessage, confirmDialog } = MCT;

  const form = document.getElementById('lookup-form');
  const query = document.getElementById('lookup-query');
  const lookupMessage = document.getElementById('lookup-message');
  const results = document.getElementById('lookup-results');
  const panel = document.getElementById('trainer-panel');
  const actionResult = document.getElementById('action-result');
  const actionError = document.getElementById('action-error');
  const switchBack = document.getElementById('switch-back');

  let current = null; // {mcid, status, events}
  // Searches and reloads: only the latest asked is shown, whatever order the answers come in.
  const views = MCT.turns();
  // The command_id of each action whose answer never came (network failure, 5xx), by trainer,
  // the trainer's version as shown, command and order: the same action confirmed again reuses
  // it, so it cannot happen twice.
  const unanswered = new Map();

  const MCID = /^\d{4,10}$/;

  function setField(name, value) {
    for (const node of panel.querySelectorAll(`[data-field="${name}"]`)) {
      node.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
    }
  }

  // Orders from the history: each PaymentPlaced with its refund, if any.
  function ordersOf(events) {
    const orders = new Map();
    for (const event of events) {
      if (event.event === 'PaymentPlaced') {
        orders.set(event.order_id, { ...event, refund: null, settled: false, completed: false });
      } else if (event.event === 'RenewalCompleted' && orders.has(event.order_id)) {
        orders.get(event.order_id).completed = true;
      } else if (event.event === 'RefundIssued' && orders.has(event.order_id)) {
        orders.get(event.order_id).refund = event;
      } else if (event.event === 'RefundSettled' && orders.has(event.order_id)) {
        orders.get(event.order_id).settled = true;
      }
    }
    return [...orders.values()];
  }

  // Why the server would refuse to refund this order (REF-1), or null: only the latest order, and
  // only a card payment. The button is offered only where the refund can be done.
  function refundRefusal(order, orders) {
    if (order !== orders[orders.length - 1]) return 'Only the latest order can be refunded (REF-1).';
    if (order.method !== 'credit_card' && order.method !== 'debit_card') {
      return 'Not refundable: only card payments are (REF-1).';
    }
    return null;
  }

  function renderStatus(status) {
    for (const name of ['mcid', 'name', 'email', 'as_of', 'status', 'step', 'kind', 'anniversary', 'days_left',
      'window_opens', 'reinstatement_opens', 'last_order']) {
      setField(name, status[name]);
    }
    const badge = document.getElementById('status-badge');
    badge.textContent = status.status.replace(/_/g, ' ');
    badge.className = `badge status-${status.status}`;
    badge.dataset.status = status.status;
    switchBack.hidden = status.status !== 'alumni';
    document.getElementById('audit-link').href = `audit.html?mcid=${encodeURIComponent(status.mcid)}`;
  }

  function renderOrders(events) {
    const body = clear(document.querySelector('#orders tbody'));
    const orders = ordersOf(events);
    for (const order of orders) {
      const refundText = order.refund
        ? `${MCTEvents.money(order.refund.amount_minor, order.currency)} ${order.settled ? 'settled' : 'issued'} ${order.refund.at.slice(0, 10)}`
        : '—';
      const refusal = refundRefusal(order, orders);
      const button = order.refund ? '' : refusal ? el('span', { class: 'muted small refund-refusal' }, refusal)
        : el('button', {
          type: 'button', class: 'secondary small refund-button', dataset: { orderId: order.order_id },
          onclick: () => refund(order),
        }, 'Refund…');
      body.append(el('tr', { dataset: { orderId: order.order_id, refunded: order.refund ? 'true' : 'false' } },
        el('td', { class: 'mono' }, order.order_id),
        el('td', {}, order.at.slice(0, 10)),
        el('td', {}, order.method + (order.card_brand ? ` (${order.card_brand} …${order.card_last4})` : '')),
        el('td', { class: 'num' }, MCTEvents.money(order.amount_minor, order.currency)),
        el('td', { class: 'refund-state' }, refundText),
        el('td', {}, button)));
    }
    if (!orders.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No orders yet.')));
  }

  // The status read after a command: when the read models have not reached the command's position
  // within the server's wait (503 read_models_behind), asks again a few times, a second apart.
  async function statusAfter(mcid, after) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await api(`/v1/trainers/${encodeURIComponent(mcid)}`, { query: { after } });
      } catch (error) {
        if (error.code !== 'read_models_behind' || attempt >= 5) throw error;
        panel.dataset.state = 'catching-up';
        await new Promise((resolve) => { setTimeout(resolve, 1000); });
      }
    }
  }

  // `after`: a log position the status must include (read your writes: the read models follow the
  // log a few milliseconds behind, and a refund must show at once).
  async function loadTrainer(mcid, { keepMessages = false, after } = {}) {
    if (!keepMessages) {
      hideMessage(actionResult);
      hideMessage(actionError);
    }
    hideMessage(lookupMessage);
    panel.dataset.state = 'loading';
    const latest = views.take();
    try {
      const [status, record] = await Promise.all([
        statusAfter(mcid, after),
        api(`/v1/trainers/${encodeURIComponent(mcid)}/history`),
      ]);
      if (!latest()) return;
      current = { mcid, status, events: record.events };
      renderStatus(status);
      renderOrders(record.events);
      MCTEvents.renderTimeline(document.getElementById('timeline'), record.events);
      document.getElementById('timeline-count').textContent = `(${record.events.length} events)`;
      panel.hidden = false;
      panel.dataset.mcid = mcid;
      panel.dataset.state = 'ready';
      if (new URLSearchParams(location.search).get('mcid') !== mcid) {
        history.replaceState(null, '', `?mcid=${encodeURIComponent(mcid)}`);
      }
    } catch (error) {
      if (!latest()) return;
      if (after !== undefined && panel.dataset.mcid === mcid) {
        // The command went through; only its view is late. Keep the trainer on screen as it was.
        panel.dataset.state = 'stale';
        showError(lookupMessage, { code: error.code, message: `The command was recorded, but this view could not show it yet (${error.message}). Search again in a moment.` });
        return;
      }
      panel.hidden = true;
      panel.dataset.state = 'error';
      forgetShownTrainer();
      showError(lookupMessage, error.status === 404
        ? { code: error.code, message: `No trainer is enrolled with the MCID ${mcid}.` } : error);
    }
  }

  // The page's address no longer names a trainer once the search shows none.
  function forgetShownTrainer() {
    if (new URLSearchParams(location.search).has('mcid')) history.replaceState(null, '', location.pathname);
  }

  async function find(text) {
    hideMessage(lookupMessage);
    results.hidden = true;
    clear(results);
    if (MCID.test(text)) return loadTrainer(text);
    const latest = views.take();
    if (!text.includes('@')) {
      panel.hidden = true;
      forgetShownTrainer();
      showError(lookupMessage, { code: 'invalid_input', message: 'Enter an MCID (4 to 10 digits) or an e-mail address.' });
      return undefined;
    }
    try {
      const found = await api('/v1/lookup', { query: { email: text } });
      if (!latest()) return undefined;
      if (found.trainers.length === 1) return loadTrainer(found.trainers[0]);
      panel.hidden = true;
      forgetShownTrainer();
      if (!found.trainers.length) {
        showError(lookupMessage, { code: 'not_found', message: `No trainer has the e-mail ${text}.` });
        return undefined;
      }
      // Several trainers share the address: each with its name and status, read alongside, so
      // that support can tell them apart before opening one.
      const items = found.trainers.map((mcid) => {
        const who = el('span', { class: 'muted', dataset: { whoOf: mcid } }, '');
        return { mcid, who, item: el('li', {}, el('button', { type: 'button', class: 'link', dataset: { mcid }, onclick: () => loadTrainer(mcid) }, mcid), ' ', who) };
      });
      results.append(...items.map(({ item }) => item));
      results.hidden = false;
      await Promise.all(items.slice(0, 20).map(async ({ mcid, who }) => {
        try {
          const status = await api(`/v1/trainers/${encodeURIComponent(mcid)}`);
          if (latest()) who.textContent = `${status.name} · ${status.status.replace(/_/g, ' ')}`;
        } catch (ignored) {
          // The button still opens the trainer, and says why not if it cannot.
        }
      }));
    } catch (error) {
      if (!latest()) return undefined;
      panel.hidden = true;
      forgetShownTrainer();
      showError(lookupMessage, error);
    }
    return undefined;
  }

  // Sends one command for the current trainer; shows the outcome and reloads.
  async function send(command, successText) {
    hideMessage(actionResult);
    hideMessage(actionError);
    const mcid = current.mcid;
    // A search started after this action replaces the trainer on screen: no reload then.
    const stillShown = views.take();
    // The trainer's version is part of the action: once a lost action is seen done (the view
    // moved on), the same action later is a new one, with a new id.
    const version = current.events.length ? current.events[current.events.length - 1].stream_version : 0;
    const action = [mcid, version, command.command, command.order_id || ''].join('|');
    const commandId = unanswered.get(action) || MCT.newCommandId();
    unanswered.set(action, commandId);
    try {
      const answer = await api(`/v1/trainers/${encodeURIComponent(mcid)}/commands`,
        { method: 'POST', body: { ...command, command_id: commandId } });
      unanswered.delete(action);
      if (!stillShown()) return;
      clear(actionResult).append(successText, ' ',
        el('span', { class: 'muted' }, `(${answer.events.map((event) => event.event).join(', ') || answer.outcome})`));
      actionResult.hidden = false;
      actionResult.dataset.command = command.command;
      const positions = answer.events.map((event) => event.global_position);
      await loadTrainer(mcid, { keepMessages: true, after: positions.length ? Math.max(...positions) : undefined });
    } catch (error) {
      // Refused (4xx): decided, so a new attempt is a new command. Otherwise it may have been done.
      if (error.status >= 400 && error.status < 500) unanswered.delete(action);
      if (!stillShown()) return;
      showError(actionError, error, `${command.command} was refused:`);
      actionError.dataset.command = command.command;
      // Refused because the trainer changed meanwhile (already refunded, version conflict): the
      // view is brought up to date, the refusal kept on screen.
      if (error.status === 409 || error.status === 422) await loadTrainer(mcid, { keepMessages: true });
    }
  }

  async function refund(order) {
    const confirmed = await confirmDialog({
      title: `Refund order ${order.order_id}?`,
      body: [
        el('p', {}, `Trainer ${current.status.name} (MCID ${current.mcid}) paid ${MCTEvents.money(order.amount_minor, order.currency)} by ${order.method} on ${order.at.slice(0, 10)}.`),
        el('p', { class: 'muted' }, 'The refund undoes the renewal this order paid for: the anniversary date goes back (REF-2).'),
      ],
      confirmLabel: 'Issue refund',
      fields: [{ name: 'reason', label: 'Reason (kept in the log)', multiline: true, required: true }],
    });
    if (!confirmed) return;
    await send({ command: 'IssueRefund', order_id: order.order_id, reason: confirmed.reason },
      `Refund issued for order ${order.order_id}.`);
  }

  switchBack.addEventListener('click', async () => {
    const confirmed = await confirmDialog({
      title: 'Switch back from the Alumni Program?',
      body: [
        el('p', {}, `Trainer ${current.status.name} (MCID ${current.mcid}) returns to the MCT renewal, in the state before the alumni application.`),
        el('p', { class: 'muted' }, 'A renewal abandoned by the application is not restored: the trainer starts a new one (ALUM-2).'),
      ],
      confirmLabel: 'Switch back',
    });
    if (!confirmed) return;
    await send({ command: 'SwitchBackFromAlumni' }, 'Switched back from the Alumni Program.');
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    find(query.value.trim());
  });

  const initial = new URLSearchParams(location.search).get('mcid');
  if (initial) {
    query.value = initial;
    find(initial);
  } else {
    query.focus();
  }
})();

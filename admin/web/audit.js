// The auditor view: a trainer's history and status as of any instant (?as_of=, AUDIT-2), and the
// answer of POST /v1/verify.
'use strict';

(() => {
  if (!MCT.requireSignIn('audit.html')) return;
  const { el, clear, api, showError, hideMessage } = MCT;

  const form = document.getElementById('asof-form');
  const mcidInput = document.getElementById('audit-mcid');
  const asOfInput = document.getElementById('as-of');
  const errorBox = document.getElementById('audit-error');
  const result = document.getElementById('audit-result');

  // datetime-local "YYYY-MM-DDTHH:MM[:SS[.mmm]]", read as UTC → RFC 3339.
  function toInstant(value) {
    if (!value) return '';
    const withSeconds = /T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
    return `${withSeconds}Z`;
  }

  // An instant as the server reads it (RFC 3339 with any offset, or a date meaning its end) → the
  // field's UTC value to the millisecond, so that Show asks for that same instant again; '' when
  // it is no instant (the server's answer then says why).
  function toLocalInput(instant) {
    const text = /^\d{4}-\d{2}-\d{2}$/.test(instant || '') ? `${instant}T23:59:59.999Z` : instant || '';
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return '';
    const point = new Date(text);
    return Number.isNaN(point.getTime()) ? '' : point.toISOString().slice(0, 23);
  }

  function setField(name, value) {
    for (const node of result.querySelectorAll(`[data-field="${name}"]`)) {
      node.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
    }
  }

  function renderHistory(events) {
    const body = clear(document.querySelector('#audit-history tbody'));
    for (const event of events) {
      body.append(el('tr', { dataset: { event: event.event, at: event.at, version: String(event.stream_version) } },
        el('td', { class: 'num' }, String(event.stream_version)),
        el('td', { class: 'mono' }, event.at),
        el('td', {}, event.event),
        el('td', {}, MCTEvents.actorText(event.actor)),
        el('td', { class: 'wrap' }, MCTEvents.summary(event)),
        el('td', { class: 'mono muted', title: event.hash }, String(event.hash || '').slice(0, 12))));
    }
    if (!events.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No events up to this instant.')));
  }

  // Only the latest asked is shown, whatever order the answers come in.
  const views = MCT.turns();

  async function show(mcid, asOf) {
    hideMessage(errorBox);
    result.dataset.state = 'loading';
    const latest = views.take();
    try {
      const query = asOf ? { as_of: asOf } : undefined;
      const path = `/v1/trainers/${encodeURIComponent(mcid)}`;
      const record = await api(`${path}/history`, { query });
      let status = null;
      try {
        status = await api(path, { query });
      } catch (error) {
        // Before the enrolment there is no status: the history (empty) still answers.
        if (error.status !== 404) throw error;
      }
      if (!latest()) return;
      for (const name of ['mcid', 'name', 'status', 'step', 'anniversary', 'days_left', 'reinstatement_opens', 'last_order']) {
        setField(name, status ? status[name] : null);
      }
      setField('mcid', mcid);
      setField('as_of', asOf ? asOf.replace('T', ' ').replace('Z', ' UTC') : 'now');
      const count = document.getElementById('audit-count');
      count.textContent = String(record.events.length);
      count.dataset.value = String(record.events.length);
      count.dataset.figure = 'event_count';
      document.getElementById('audit-count-note').textContent = asOf ? `events up to ${asOf}` : 'events in all';
      const last = record.events[record.events.length - 1];
      document.getElementById('audit-last').textContent = last ? `Last: ${last.event} at ${last.at}` : '';
      renderHistory(record.events);
      result.dataset.mcid = mcid;
      result.dataset.asOf = asOf || '';
      result.dataset.state = 'ready';
      result.hidden = false;
      const params = new URLSearchParams({ mcid });
      if (asOf) params.set('as_of', asOf);
      history.replaceState(null, '', `?${params}`);
    } catch (error) {
      if (!latest()) return;
      result.hidden = true;
      result.dataset.state = 'error';
      showError(errorBox, error);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const mcid = mcidInput.value.trim();
    if (!/^\d{4,10}$/.test(mcid)) {
      showError(errorBox, { code: 'invalid_input', message: 'An MCID is 4 to 10 digits.' });
      return;
    }
    show(mcid, toInstant(asOfInput.value));
  });

  document.getElementById('asof-now').addEventListener('click', () => {
    asOfInput.value = '';
    if (mcidInput.value.trim()) form.requestSubmit();
  });

  // A button that runs one task on the server (`NAME-run`, its message `NAME-message`, its answer
  // `NAME-result`): while `work(message, output)` runs, the button is off and the message says
  // `busyText`; `work` shows the outcome and sets message.dataset.outcome.
  function onRun(name, busyText, work) {
    const button = document.getElementById(`${name}-run`);
    const message = document.getElementById(`${name}-message`);
    const output = document.getElementById(`${name}-result`);
    button.addEventListener('click', async () => {
      hideMessage(message);
      output.hidden = true;
      button.disabled = true;
      delete message.dataset.outcome;
      message.hidden = false;
      message.className = 'message-box';
      message.textContent = busyText;
      try {
        await work(message, output);
      } finally {
        button.disabled = false;
      }
    });
  }

  const checkpointNow = document.getElementById('verify-checkpoint-now');
  onRun('verify', 'Verifying…', async (message, output) => {
    checkpointNow.hidden = true;
    const recorded = document.getElementById('verify-checkpoint').value.trim();
    try {
      const answer = await api('/v1/verify', { method: 'POST', query: { checkpoint: recorded } });
      output.textContent = JSON.stringify(answer, null, 2);
      output.hidden = false;
      if (typeof answer.ok === 'boolean') {
        message.classList.add(answer.ok ? 'ok' : 'error');
        if (answer.ok) {
          message.textContent = answer.recorded_checkpoint_holds === true
            ? `Every hash chain verifies, and the log up to position ${recorded.split(':')[0]} is unchanged since the checkpoint was recorded.`
            : 'Every hash chain verifies.';
        } else {
          const link = answer.broken_link && answer.broken_link.message;
          message.textContent = answer.recorded_checkpoint_holds === false
            ? `The log no longer matches the recorded checkpoint: ${link}`
            : `Verification found a broken chain: ${link}`;
        }
        if (answer.checkpoint) {
          const code = checkpointNow.querySelector('.checkpoint');
          code.textContent = `${answer.checkpoint.position}:${answer.checkpoint.digest}`;
          checkpointNow.hidden = false;
        }
        message.dataset.outcome = answer.ok ? 'ok' : (answer.recorded_checkpoint_holds === false ? 'changed' : 'broken');
      } else {
        message.textContent = 'The server answered:';
        message.dataset.outcome = 'answered';
      }
    } catch (error) {
      if (error.status === 404) {
        showError(message, { code: error.code, message: 'This server has no verify route yet (POST /v1/verify answered 404). Run `mctctl verify` on the data directory instead.' });
        message.dataset.outcome = 'unavailable';
      } else {
        showError(message, error, 'Verify failed:');
        message.dataset.outcome = 'error';
      }
    }
  });

  // Starts a rebuild (or follows the one running) and polls its status until it ends.
  onRun('rebuild', 'Rebuilding…', async (message, output) => {
    const bar = document.getElementById('rebuild-progress');
    bar.hidden = false;
    bar.value = 0;
    try {
      let status;
      try {
        status = await api('/v1/rebuild', { method: 'POST' });
      } catch (error) {
        if (error.code !== 'rebuild_running') throw error;
        status = await api('/v1/rebuild');  // someone else's: follow it
      }
      while (status.state === 'running') {
        bar.value = status.progress || 0;
        message.textContent = `Rebuilding… ${Math.floor(100 * (status.progress || 0))}% of ${status.events_total} events`;
        await new Promise((resolve) => { setTimeout(resolve, 250); });
        status = await api('/v1/rebuild');
      }
      bar.value = status.state === 'done' ? 1 : bar.value;
      output.textContent = JSON.stringify(status, null, 2);
      output.hidden = false;
      if (status.state === 'done') {
        const equal = status.checksums_equal;
        message.classList.add(equal === false ? 'error' : 'ok');
        message.textContent = equal === true ? `Rebuilt ${status.events_done} events; the rebuilt read models equal the live ones.`
          : equal === false ? 'Rebuilt, but the rebuilt read models differ from the live ones: see below.'
            : `Rebuilt ${status.events_done} events (commands came meanwhile, so the checksums were not compared).`;
        message.dataset.outcome = equal === false ? 'differ' : 'done';
      } else {
        showError(message, { code: 'rebuild_failed', message: status.error || 'the rebuild failed' });
        message.dataset.outcome = 'failed';
      }
    } catch (error) {
      showError(message, error, 'Rebuild failed:');
      message.dataset.outcome = 'error';
    }
  });

  const params = new URLSearchParams(location.search);
  const initialMcid = params.get('mcid');
  const initialAsOf = params.get('as_of');
  if (initialAsOf) asOfInput.value = toLocalInput(initialAsOf);
  if (initialMcid) {
    mcidInput.value = initialMcid;
    show(initialMcid, initialAsOf || '');
  }
})();

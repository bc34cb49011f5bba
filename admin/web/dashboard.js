// The dashboard: GET /v1/reports (every month) folded over a chosen month range, and GET /v1/due
// for the next 30, 60 and 90 days.
//
// Every number shown is an element with data-figure (the report's field name) and data-value
// (the raw integer; money in minor units), plus:
//   data-month  "YYYY-MM" for one month, "range" for the sum over the range;
//   data-dimension, data-key, data-kind  for the breakdowns (by_employer_type, by_track,
//               by_payment_method; kind renewal, reinstatement or total), range sums;
//   data-days   for due_count (30, 60, 90).
// lapsed_now has neither month nor days. Funnel stages are figures "funnel.<stage>". Money of
// orders paid in another fee currency is revenue_minor_other_currencies and
// refunds_minor_other_currencies, range sums with data-key the currency.
'use strict';

(() => {
  if (!MCT.requireSignIn('dashboard.html')) return;
  const { el, clear, api, formatMinor, formatCount, showError, hideMessage } = MCT;

  const COUNT_FIELDS = ['renewals', 'reinstatements', 'refunds', 'lapses', 'exceptions_filed', 'uploads',
    'alumni_applied', 'alumni_switched_back'];
  const MONEY_FIELDS = ['revenue_minor', 'refunds_minor', 'net_minor'];
  const OTHER_CURRENCY_FIELDS = ['revenue_minor_other_currencies', 'refunds_minor_other_currencies'];
  const FUNNEL = ['started', 'profile', 'requirements', 'terms', 'payment', 'completed'];
  const DIMENSIONS = [
    { field: 'by_employer_type', table: 'by-employer-type' },
    { field: 'by_track', table: 'by-track' },
    { field: 'by_payment_method', table: 'by-payment-method' },
  ];
  const NAMES = {
    microsoft_fte: 'Microsoft employee', academic: 'Academic', freelance: 'Freelance', government: 'Government',
    imagine_academy: 'Imagine Academy', learning_partner: 'Learning Partner', other: 'Other',
    it_pro: 'IT Pro', developer: 'Developer', dynamics: 'Dynamics', iw: 'Information Worker',
    credit_card: 'Credit card', debit_card: 'Debit card', paypal: 'PayPal', voucher: 'Voucher',
    started: 'Started', profile: 'Profile', requirements: 'Requirements', terms: 'Terms', payment: 'Payment',
    completed: 'Completed',
  };
  const DUE_DAYS = [30, 60, 90];

  const form = document.getElementById('range-form');
  const fromInput = document.getElementById('from-month');
  const toInput = document.getElementById('to-month');
  const errorBox = document.getElementById('dashboard-error');
  const statusLine = document.getElementById('dashboard-status');
  const root = document.getElementById('dashboard');

  let data = null; // {reports, due: {30: {...}, ...}, today}

  // --- Months ------------------------------------------------------------------------------------

  const isMonth = (text) => /^\d{4}-(0[1-9]|1[0-2])$/.test(text || '');

  function addMonths(month, count) {
    const [year, number] = month.split('-').map(Number);
    const index = year * 12 + (number - 1) + count;
    return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
  }

  function monthsBetween(from, to) {
    const out = [];
    for (let month = from; month <= to; month = addMonths(month, 1)) out.push(month);
    return out;
  }

  // A range longer than this is cut to its last MAX_MONTHS months, and the page says so: every
  // figure shown is then the sum of exactly the months the range's label names.
  const MAX_MONTHS = 1200;

  function limited({ from, to }) {
    const earliest = addMonths(to, -(MAX_MONTHS - 1));
    return from < earliest ? { from: earliest, to, cut: true } : { from, to, cut: false };
  }

  function monthLabel(month) {
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const [year, number] = month.split('-');
    return `${names[Number(number) - 1]} ${year}`;
  }

  function currentMonth() {
    return MCT.todayUtc().slice(0, 7);
  }

  function lastTwelve() {
    const to = currentMonth();
    return { from: addMonths(to, -11), to };
  }

  function allMonths() {
    const months = data ? data.reports.months.map((one) => one.month) : [];
    const to = [currentMonth(), ...months].sort().pop();
    return { from: months.length ? months[0] : to, to };
  }

  // --- Figures -----------------------------------------------------------------------------------

  function zeroMonth(month, currency) {
    const out = { month, currency, by_employer_type: {}, by_track: {}, by_payment_method: {}, funnel: {} };
    for (const field of [...COUNT_FIELDS, ...MONEY_FIELDS]) out[field] = 0;
    for (const stage of FUNNEL) out.funnel[stage] = 0;
    for (const field of OTHER_CURRENCY_FIELDS) out[field] = {};
    return out;
  }

  // The reports of the range's months (a month without a report is all zeros) and their sum.
  function fold(reports, months) {
    const currency = reports.months.length ? reports.months[0].currency : 'USD';
    const byMonth = new Map(reports.months.map((one) => [one.month, one]));
    const rows = months.map((month) => byMonth.get(month) || zeroMonth(month, currency));
    const total = zeroMonth('range', currency);
    for (const row of rows) {
      for (const field of [...COUNT_FIELDS, ...MONEY_FIELDS]) total[field] += row[field] || 0;
      for (const stage of FUNNEL) total.funnel[stage] += (row.funnel && row.funnel[stage]) || 0;
      for (const field of OTHER_CURRENCY_FIELDS) {
        for (const [currency, minor] of Object.entries(row[field] || {})) {
          total[field][currency] = (total[field][currency] || 0) + minor;
        }
      }
      for (const { field } of DIMENSIONS) {
        for (const [key, kinds] of Object.entries(row[field] || {})) {
          const target = total[field][key] || (total[field][key] = { renewal: 0, reinstatement: 0 });
          target.renewal += kinds.renewal || 0;
          target.reinstatement += kinds.reinstatement || 0;
        }
      }
    }
    return { rows, total, currency };
  }

  // One figure: the element that shows it, carrying what it is.
  function figure(tag, name, value, attributes = {}, { money = false, className = 'num' } = {}) {
    return el(tag, {
      class: className,
      dataset: { figure: name, value: String(value), ...attributes },
    }, money ? formatMinor(value) : formatCount(value));
  }

  // Replaces the placeholder `id` by the figure, keeping the id.
  function setFigure(id, name, value, attributes = {}, options = {}) {
    const node = figure('span', name, value, attributes, { ...options, className: 'kpi-value' });
    node.id = id;
    document.getElementById(id).replaceWith(node);
  }

  // --- Rendering ---------------------------------------------------------------------------------

  function render(from, to, cut) {
    const months = monthsBetween(from, to);
    const { rows, total, currency } = fold(data.reports, months);
    for (const node of document.querySelectorAll('.currency')) node.textContent = currency;

    setFigure('kpi-renewals', 'renewals', total.renewals, { month: 'range' });
    setFigure('kpi-reinstatements', 'reinstatements', total.reinstatements, { month: 'range' });
    setFigure('kpi-revenue', 'revenue_minor', total.revenue_minor, { month: 'range' }, { money: true });
    setFigure('kpi-refunds', 'refunds_minor', total.refunds_minor, { month: 'range' }, { money: true });
    setFigure('kpi-net', 'net_minor', total.net_minor, { month: 'range' }, { money: true });
    setFigure('kpi-lapsed-now', 'lapsed_now', data.reports.lapsed_now);

    renderDue();
    MCTChart.bars(document.getElementById('completed-chart'), {
      title: 'Renewals and reinstatements completed per month',
      categories: months,
      formatLabel: monthLabel,
      series: [
        { key: 'renewals', label: 'Renewals', className: 'series-a', values: rows.map((row) => row.renewals) },
        { key: 'reinstatements', label: 'Reinstatements', className: 'series-b', values: rows.map((row) => row.reinstatements) },
      ],
    });
    renderMoney(rows, total);
    renderFunnel(total);
    for (const dimension of DIMENSIONS) renderBreakdown(dimension, total);
    renderMonthTable(rows, total);

    root.dataset.from = from;
    root.dataset.to = to;
    root.dataset.state = 'ready';
    root.hidden = false;
    const note = cut ? ` (the last ${MAX_MONTHS / 12} years of the range asked)` : '';
    statusLine.textContent = `${monthLabel(from)} to ${monthLabel(to)}${note} · reports as of ${data.reports.as_of}`;
    root.dataset.cut = cut ? 'true' : 'false';
  }

  function renderDue() {
    const today = data.today;
    document.getElementById('due-window').textContent = `(anniversaries from ${today})`;
    for (const days of DUE_DAYS) {
      setFigure(`due-${days}`, 'due_count', data.due[days].count, { days: String(days) });
    }
    const body = clear(document.querySelector('#due-table tbody'));
    for (const trainer of data.due[30].trainers) {
      body.append(el('tr', { dataset: { dueMcid: trainer.mcid } },
        el('td', {}, el('a', { href: `console.html?mcid=${encodeURIComponent(trainer.mcid)}` }, trainer.mcid)),
        el('td', {}, trainer.anniversary),
        el('td', { class: 'num' }, String(trainer.days_left))));
    }
    if (!data.due[30].trainers.length) body.append(el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'Nobody falls due in the next 30 days.')));
  }

  function renderMoney(rows, total) {
    const body = clear(document.querySelector('#money-table tbody'));
    const line = (row, month, tag) => el('tr', {},
      el(tag, {}, month === 'range' ? 'Range total' : monthLabel(month)),
      figure('td', 'revenue_minor', row.revenue_minor, { month }, { money: true }),
      figure('td', 'refunds_minor', row.refunds_minor, { month }, { money: true }),
      figure('td', 'refunds', row.refunds, { month }),
      figure('td', 'net_minor', row.net_minor, { month }, { money: true, className: `num ${row.net_minor < 0 ? 'negative' : ''}` }));
    for (const row of rows) body.append(line(row, row.month, 'td'));
    clear(document.querySelector('#money-table tfoot')).append(line(total, 'range', 'th'));
    renderOtherCurrencies(total);
  }

  // Orders paid while the fee was configured in another currency, and their refunds: shown apart,
  // since adding them into the figures above would mix units. Hidden when there are none.
  function renderOtherCurrencies(total) {
    const currencies = [...new Set(OTHER_CURRENCY_FIELDS.flatMap((field) => Object.keys(total[field])))].sort();
    const body = clear(document.querySelector('#other-currency-table tbody'));
    for (const currency of currencies) {
      body.append(el('tr', {},
        el('td', {}, currency),
        ...OTHER_CURRENCY_FIELDS.map((field) => figure('td', field, total[field][currency] || 0, { month: 'range', key: currency }, { money: true }))));
    }
    document.getElementById('other-currencies').hidden = currencies.length === 0;
  }

  function renderFunnel(total) {
    const started = total.funnel.started;
    MCTChart.hbars(document.getElementById('funnel-chart'), {
      title: 'Funnel of applications started in the range',
      chart: 'funnel',
      max: Math.max(1, started),
      width: 560,
      labelWidth: 120,
      valueWidth: 60,
      rows: FUNNEL.map((stage) => ({ key: stage, label: NAMES[stage], value: total.funnel[stage], className: stage === 'completed' ? 'series-b' : 'series-a' })),
    });
    const body = clear(document.querySelector('#funnel-table tbody'));
    for (const stage of FUNNEL) {
      const value = total.funnel[stage];
      body.append(el('tr', {},
        el('td', {}, NAMES[stage]),
        figure('td', `funnel.${stage}`, value, { month: 'range' }),
        started > 0
          ? el('td', { class: 'num muted', dataset: { derived: 'percent_of_started', stage, value: String(Math.round((value / started) * 100)) } },
            `${Math.round((value / started) * 100)}%`)
          : el('td', { class: 'num muted' }, '–')));
    }
  }

  function renderBreakdown({ field, table }, total) {
    const node = clear(document.getElementById(table));
    node.append(el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', { class: 'num' }, 'Renewals'),
      el('th', { class: 'num' }, 'Reinst.'), el('th', { class: 'num' }, 'Total'), el('th', { class: 'bar-cell' }, ''))));
    const body = el('tbody');
    const entries = Object.entries(total[field]).map(([key, kinds]) => [key, kinds, kinds.renewal + kinds.reinstatement]);
    entries.sort((a, b) => b[2] - a[2] || a[0].localeCompare(b[0]));
    const max = Math.max(1, ...entries.map((entry) => entry[2]));
    for (const [key, kinds, sum] of entries) {
      const attributes = (kind) => ({ month: 'range', dimension: field, key, kind });
      body.append(el('tr', { dataset: { key } },
        el('td', {}, NAMES[key] || key),
        figure('td', field, kinds.renewal, attributes('renewal')),
        figure('td', field, kinds.reinstatement, attributes('reinstatement')),
        figure('td', field, sum, attributes('total')),
        el('td', { class: 'bar-cell' }, inlineBar(sum / max))));
    }
    if (!entries.length) body.append(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'None completed in the range.')));
    node.append(body);
  }

  function renderMonthTable(rows, total) {
    const columns = [
      ['renewals', 'Renewals'], ['reinstatements', 'Reinst.'], ['lapses', 'Lapses'],
      ['exceptions_filed', 'Exceptions'], ['uploads', 'Uploads'], ['alumni_applied', 'Alumni'],
      ['alumni_switched_back', 'Switched back'],
      ...FUNNEL.map((stage) => [`funnel.${stage}`, NAMES[stage]]),
    ];
    const table = document.getElementById('month-table');
    clear(table.tHead).append(el('tr', {}, el('th', {}, 'Month'),
      ...columns.map(([name, label], index) => el('th', { class: `num ${index === 7 ? 'group-start' : ''}` }, label))));
    const value = (row, name) => (name.startsWith('funnel.') ? row.funnel[name.slice(7)] : row[name]);
    const line = (row, month, tag) => el('tr', {}, el(tag, {}, month === 'range' ? 'Range total' : monthLabel(month)),
      ...columns.map(([name], index) => figure('td', name, value(row, name), { month }, { className: `num ${index === 7 ? 'group-start' : ''}` })));
    const body = clear(table.tBodies[0]);
    for (const row of rows) body.append(line(row, row.month, 'td'));
    clear(table.tFoot).append(line(total, 'range', 'th'));
  }

  // A bar as wide as `share` of its cell; set through the style object, which the pages' content
  // security policy allows (a style attribute it does not).
  function inlineBar(share) {
    const bar = el('span', { class: 'inline-bar' });
    bar.style.width = `${Math.round(share * 100)}%`;
    return bar;
  }

  // --- Loading -----------------------------------------------------------------------------------

  async function load() {
    const today = MCT.todayUtc();
    const dues = DUE_DAYS.map((days) => api('/v1/due', { query: { from: today, to: MCT.addDays(today, days) } }));
    const [reports, ...due] = await Promise.all([api('/v1/reports'), ...dues]);
    data = { reports, today, due: Object.fromEntries(DUE_DAYS.map((days, index) => [days, due[index]])) };
  }

  function rangeFromUrl() {
    const params = new URLSearchParams(location.search);
    const from = params.get('from');
    const to = params.get('to');
    if (params.get('range') === 'all') return allMonths();
    if (isMonth(from) && isMonth(to)) return from <= to ? { from, to } : { from: to, to: from };
    if (from !== null || to !== null) {
      showError(errorBox, {
        code: 'invalid_input',
        message: `The address asks for from=${from ?? ''} to=${to ?? ''}, not two months (YYYY-MM): showing the last 12 months.`,
      });
    }
    return lastTwelve();
  }

  function show(range, updateUrl = true) {
    const { from, to, cut } = limited(range);
    fromInput.value = from;
    toInput.value = to;
    if (updateUrl || cut) history.replaceState(null, '', `?from=${from}&to=${to}`);
    render(from, to, cut);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    hideMessage(errorBox);
    const from = fromInput.value;
    const to = toInput.value;
    if (!isMonth(from) || !isMonth(to)) {
      showError(errorBox, { code: 'invalid_input', message: 'Choose two months (YYYY-MM).' });
      return;
    }
    show(from <= to ? { from, to } : { from: to, to: from });
  });
  document.getElementById('range-last12').addEventListener('click', () => { hideMessage(errorBox); show(lastTwelve()); });
  document.getElementById('range-all').addEventListener('click', () => { hideMessage(errorBox); show(allMonths()); });

  (async () => {
    try {
      await load();
      show(rangeFromUrl(), false);
    } catch (error) {
      statusLine.textContent = '';
      root.dataset.state = 'error';
      showError(errorBox, error, 'The figures could not be loaded:');
    }
  })();
})();

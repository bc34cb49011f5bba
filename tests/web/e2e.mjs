// End-to-end tests of mctd's web pages in headless Chromium (playwright-core, Debian's chromium).
// run_e2e.sh prepares the data directory and the tokens and runs this file; it starts and stops
// mctd itself, because mctctl (the reference) can only read the data while mctd is stopped:
//   1. reference from mctctl; mctd up; sign-in; every dashboard figure against mctctl;
//      support console: refund (cancel, then confirm), a refused refund, alumni switch-back;
//      auditor view: history as of an instant, verify, a rebuild; mctd stopped with SIGTERM;
//   2. reference again from mctctl: the refund and the switch-back are in the report;
//      mctd up again; every dashboard figure against the new reference; mctd stopped.
// Prints "N passed, M failed" and exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { addMonths, compareBars, compareFigures, expectedFigure, monthsBetween } from './lib/figures.mjs';
import { startMctd, takeReference } from './lib/mct.mjs';

const env = {
  mctd: process.env.MCTD,
  mctctl: process.env.MCTCTL,
  data: process.env.MCT_E2E_DATA,
  work: process.env.MCT_E2E_WORK,
  webRoot: process.env.MCT_E2E_WEB_ROOT,
  supportToken: process.env.MCT_E2E_SUPPORT_TOKEN,
  auditorToken: process.env.MCT_E2E_AUDITOR_TOKEN,
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};
for (const [key, value] of Object.entries(env)) {
  if (!value) {
    console.error(`e2e: ${key} is not set (run tests/web/run_e2e.sh)`);
    process.exit(2);
  }
}
const fixtures = JSON.parse(fs.readFileSync(process.env.MCT_E2E_FIXTURES, 'utf8'));

// --- A tiny harness ------------------------------------------------------------------------------

let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`  ok    ${name}`);
  } else {
    failed += 1;
    console.log(`  FAIL  ${name}${detail ? `\n        ${String(detail).split('\n').join('\n        ')}` : ''}`);
  }
  return ok;
}

function checkEqual(name, actual, expected) {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  return check(name, same, same ? '' : `got      ${JSON.stringify(actual)}\nexpected ${JSON.stringify(expected)}`);
}

function checkNoProblems(name, problems) {
  return check(name, problems.length === 0, problems.slice(0, 15).join('\n') + (problems.length > 15 ? `\n... ${problems.length - 15} more` : ''));
}

async function step(name, body) {
  console.log(`\n${name}`);
  const started = Date.now();
  try {
    await body();
  } catch (error) {
    check(`${name}: ran to the end`, false, error.stack || String(error));
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// --- Browser helpers -----------------------------------------------------------------------------

const profileDir = fs.mkdtempSync(path.join(env.work, 'chromium-profile-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: env.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
  viewport: { width: 1280, height: 900 },
});
context.setDefaultTimeout(15000);
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
const offSite = [];
const unsigned = [];
const statusReads = []; // GET /v1/trainers/{mcid} URLs, in order
page.on('pageerror', (error) => pageErrors.push(error.message));
// Every API call carries the token as a bearer header (the pages keep it in sessionStorage).
page.on('request', (request) => {
  if (!new URL(request.url()).pathname.startsWith('/v1/')) return;
  const header = request.headers().authorization || '';
  if (!/^Bearer \S+$/.test(header)) unsigned.push(`${request.method()} ${request.url()}`);
  if (request.method() === 'GET' && /^\/v1\/trainers\/\d+$/.test(new URL(request.url()).pathname)) {
    statusReads.push(request.url());
  }
});
// Every command the pages send, as sent.
const commandsSent = [];
page.on('request', (request) => {
  if (request.method() === 'POST' && /\/v1\/trainers\/\d+\/commands$/.test(new URL(request.url()).pathname)) {
    commandsSent.push(JSON.parse(request.postData() || 'null'));
  }
});
page.on('console', (message) => {
  if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text());
});

let server = null;
// The pages use nothing but mctd: a request to any other host is a failure (and is not sent).
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (server && url.origin === new URL(server.url).origin) return route.continue();
  if (url.protocol === 'data:' || url.protocol === 'about:') return route.continue();
  offSite.push(url.href);
  return route.abort();
});

async function screenshot(name, fullPage = true) {
  await page.screenshot({ path: path.join(env.work, `${name}.png`), fullPage });
}

async function signIn(token, next = '') {
  await page.goto(`${server.url}/index.html${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.fill('#token', token);
  await page.click('#signin-submit');
  await page.waitForURL((url) => !url.pathname.endsWith('/index.html'));
}

async function readFigures() {
  return page.$$eval('[data-figure]', (nodes) => nodes.map((node) => ({ ...node.dataset, text: node.textContent.trim() })));
}

async function readBars() {
  return page.$$eval('#completed-chart rect[data-chart]', (nodes) => nodes.map((node) => ({ ...node.dataset })));
}

// Opens the dashboard for a range (or the page's own "All months") and compares every figure.
async function checkDashboard(reference, label, range) {
  if (range) {
    await page.goto(`${server.url}/dashboard.html?from=${range.from}&to=${range.to}`);
  } else {
    await page.goto(`${server.url}/dashboard.html`);
    await page.waitForSelector('#dashboard[data-state=ready]');
    await page.click('#range-all');
  }
  await page.waitForSelector('#dashboard[data-state=ready]');
  const shown = await page.$eval('#dashboard', (node) => ({ from: node.dataset.from, to: node.dataset.to }));
  if (range) checkEqual(`${label}: the range asked is shown`, shown, range);
  const figures = await readFigures();
  checkNoProblems(`${label}: all ${figures.length} figures equal mctctl report/due (${shown.from}..${shown.to})`,
    compareFigures(reference, figures, shown));
  checkNoProblems(`${label}: the per-month chart's bars equal mctctl`, compareBars(reference, await readBars(), shown));
  const inRange = reference.report.months.filter((one) => one.month >= shown.from && one.month <= shown.to);
  const otherCurrencies = inRange.some((one) => Object.keys(one.revenue_minor_other_currencies || {}).length + Object.keys(one.refunds_minor_other_currencies || {}).length > 0);
  check(`${label}: the other currencies' table is ${otherCurrencies ? 'shown' : 'hidden'}, as mctctl has ${otherCurrencies ? 'some' : 'none'}`,
    (await page.isVisible('#other-currencies')) === otherCurrencies);
  const percents = await page.$$eval('[data-derived=percent_of_started]', (nodes) => nodes.map((node) => ({ ...node.dataset, text: node.textContent })));
  const started = expectedFigure(reference, { figure: 'funnel.started', month: 'range' }, shown);
  checkNoProblems(`${label}: the funnel's percentages of started`, percents.length !== (started > 0 ? 6 : 0)
    ? [`${percents.length} percentages shown`]
    : percents.filter((one) => {
      const expected = Math.round((expectedFigure(reference, { figure: `funnel.${one.stage}`, month: 'range' }, shown) / started) * 100);
      return Number(one.value) !== expected || one.text !== `${expected}%`;
    }).map((one) => `${one.stage}: ${one.text}`));
  const dueRows = await page.$$eval('#due-table tbody tr[data-due-mcid]', (rows) => rows.map((row) => row.dataset.dueMcid));
  checkEqual(`${label}: the trainers due in 30 days are mctctl's`, dueRows, reference.due[30].trainers.map((one) => one.mcid));
  return { shown, figures };
}

function figureValue(figures, name, month) {
  const found = figures.find((figure) => figure.figure === name && figure.month === month && !figure.dimension);
  return found ? Number(found.value) : Number.NaN;
}

async function openTrainer(query, mcid) {
  await page.goto(`${server.url}/console.html`);
  await page.fill('#lookup-query', query);
  await page.click('#lookup-submit');
  await page.waitForSelector(`#trainer-panel[data-state=ready][data-mcid="${mcid}"]`);
}

// An RFC 3339 UTC instant as a datetime-local input holds it (Chromium drops ":00" seconds).
function localInput(instant) {
  return instant.slice(0, 19).replace(/:00$/, '');
}

async function timelineEvents() {
  return page.$$eval('#timeline li[data-event]', (items) => items.map((item) => item.dataset.event));
}

// Refund… on `order`'s row, the reason given, confirmed.
async function confirmRefund(order, reason) {
  await page.click(`.refund-button[data-order-id="${order}"]`);
  await page.fill('#confirm-reason', reason);
  await page.click('#confirm-ok');
}

// One command straight to the API as support, beside the page: { status, answer }.
async function postCommand(mcid, body) {
  const response = await fetch(`${server.url}/v1/trainers/${mcid}/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.supportToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, answer: await response.json() };
}

function sum(values) {
  return values.reduce((total, value) => total + value, 0);
}

async function field(name) {
  return page.$eval(`#trainer-panel [data-field="${name}"]`, (node) => node.textContent.trim());
}

// --- The run -------------------------------------------------------------------------------------

const started = Date.now();
const card = fixtures.card_renewal;
const paypal = fixtures.paypal_renewal;
const alumni = fixtures.alumni;
const audited = fixtures.refunded_renewal;
const watched = [card, paypal, alumni, audited];
let before = null; // mctctl before the console's actions
let after = null;  // and after
let refundAt = null; // an instant just before the console's refund
let refundAmount = 0;
const otherRefunds = []; // amounts of the refunds done beside the console's (same month)

await step('Reference from mctctl (mctd stopped)', async () => {
  before = takeReference(env, { trainers: watched, asOf: [{ mcid: audited, instant: fixtures.audit_before_refund }] });
  check(`the report has months (${before.report.months.length})`, before.report.months.length > 0);
  check('the seeded histories are there', before.history[card].events.some((event) => event.event === 'RenewalCompleted'));
});

await step('mctd starts on a free port', async () => {
  server = await startMctd(env, 'first');
  check(`mctd listens (${server.url})`, /^http:\/\/127\.0\.0\.1:\d+$/.test(server.url));
});

await step('Sign-in', async () => {
  await page.goto(`${server.url}/dashboard.html`);
  await page.waitForURL(/\/index\.html\?next=dashboard\.html/);
  check('a page without a token sends to the sign-in page', true);
  await screenshot('01-sign-in');
  await page.fill('#token', 'not-a-token');
  await page.click('#signin-submit');
  await page.waitForSelector('#signin-error:not([hidden])');
  const error = await page.textContent('#signin-error');
  check('a wrong token is refused with the reason', /unauthorized/.test(error) && /not valid/.test(error), error);
  check('a refused token is not kept', await page.evaluate(() => sessionStorage.getItem('mct_token')) === null);
  await page.fill('#token', env.supportToken);
  await page.click('#signin-submit');
  await page.waitForURL(/\/dashboard\.html/);
  check('a support token signs in and goes on to the page asked for', true);
  check('the token is kept in sessionStorage', await page.evaluate(() => sessionStorage.getItem('mct_token')) === env.supportToken);
  const nav = await page.$$eval('.nav a', (links) => links.map((link) => link.getAttribute('href')));
  checkEqual('the header links the three views', nav, ['dashboard.html', 'console.html', 'audit.html']);
  check('the header has a sign-out', await page.isVisible('#sign-out'));
});

await step('Dashboard against mctctl', async () => {
  const all = await checkDashboard(before, 'all months');
  const reportMonths = before.report.months.map((one) => one.month);
  const currentMonth = before.today.slice(0, 7);
  checkEqual('"All months" spans the report', all.shown,
    { from: reportMonths[0], to: [currentMonth, ...reportMonths].sort().pop() });
  // The euro order and its refund (seed.mjs): shown apart, and equal to mctctl's by the compare.
  const euros = ['revenue_minor_other_currencies', 'refunds_minor_other_currencies']
    .map((name) => all.figures.find((figure) => figure.figure === name && figure.key === 'EUR'));
  check('the dashboard shows the euro order\'s revenue and refund apart', euros.every((one) => one && Number(one.value) > 0),
    JSON.stringify(euros));
  await checkDashboard(before, 'last 6 months', { from: addMonths(currentMonth, -5), to: currentMonth });
  const busiest = [...before.report.months].sort((a, b) => (b.renewals + b.reinstatements) - (a.renewals + a.reinstatements))[0];
  await checkDashboard(before, `one month (${busiest.month})`, { from: busiest.month, to: busiest.month });
  // The range form itself.
  await page.fill('#from-month', addMonths(currentMonth, -11));
  await page.fill('#to-month', currentMonth);
  await page.click('#range-apply');
  await page.waitForFunction((from) => document.getElementById('dashboard').dataset.from === from, addMonths(currentMonth, -11));
  checkNoProblems('the range form shows the last 12 months, equal to mctctl',
    compareFigures(before, await readFigures(), { from: addMonths(currentMonth, -11), to: currentMonth }));
  check('12 months in the month table', (await page.$$('#month-table tbody tr')).length === monthsBetween(addMonths(currentMonth, -11), currentMonth).length);
  await screenshot('02-dashboard');

  // A range longer than the page draws is cut to its last 100 years, and the page says so: every
  // figure is then the sum of exactly the months its label names.
  const earliest = addMonths(currentMonth, -1199);
  await page.goto(`${server.url}/dashboard.html?from=1900-01&to=${currentMonth}`);
  await page.waitForSelector('#dashboard[data-state=ready]');
  checkEqual('a range over 100 years is cut to its last 100',
    await page.$eval('#dashboard', (node) => [node.dataset.from, node.dataset.to, node.dataset.cut]), [earliest, currentMonth, 'true']);
  check('the status line says the range was cut', /last 100 years/.test(await page.textContent('#dashboard-status')));
  checkEqual('the form shows the range drawn', await page.inputValue('#from-month'), earliest);
  checkNoProblems('the cut range\'s figures equal mctctl', compareFigures(before, await readFigures(), { from: earliest, to: currentMonth }));
  // An address whose range is not two months: said, and the last 12 months shown.
  await page.goto(`${server.url}/dashboard.html?from=2026-13&to=abc`);
  await page.waitForSelector('#dashboard[data-state=ready]');
  check('a malformed range in the address is said', /not two months/.test(await page.textContent('#dashboard-error')));
  checkEqual('and the last 12 months are shown', await page.$eval('#dashboard', (node) => node.dataset.from), addMonths(currentMonth, -11));
});

await step('Support console: look-up, status, timeline', async () => {
  const email = before.status[card].email;
  await openTrainer(email, card);
  check('a trainer is found by e-mail (/v1/lookup)', true);
  const status = before.status[card];
  for (const name of ['status', 'anniversary', 'window_opens', 'last_order', 'days_left']) {
    checkEqual(`status ${name} is mctctl's`, await field(name), String(status[name]));
  }
  checkEqual('the timeline is mctctl history, in order', await timelineEvents(), before.history[card].events.map((event) => event.event));
  await openTrainer(paypal, paypal);
  check('a trainer is found by MCID', true);
  await page.fill('#lookup-query', 'nobody@example.invalid');
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-message:not([hidden])');
  check('an unknown e-mail says so', /No trainer has the e-mail/.test(await page.textContent('#lookup-message')));
  checkEqual('and the address no longer names the trainer shown before', new URL(page.url()).searchParams.get('mcid'), null);

  // An address two trainers share: both listed, each with its name, and either opens.
  await page.fill('#lookup-query', fixtures.shared_email.toUpperCase());
  await page.click('#lookup-submit');
  await page.waitForSelector('#lookup-results:not([hidden])');
  const [first, second] = fixtures.shared_email_trainers;
  await page.waitForFunction((mcid) => /Hayashi/.test(document.querySelector(`[data-who-of="${mcid}"]`)?.textContent || ''), second);
  checkEqual('an e-mail two trainers share lists both, with their names',
    await page.$$eval('#lookup-results li', (items) => items.map((item) => item.textContent.trim())),
    [`${first} Aoi Hayashi · active`, `${second} Haruto Hayashi · active`]);
  await page.click(`#lookup-results button[data-mcid="${second}"]`);
  await page.waitForSelector(`#trainer-panel[data-state=ready][data-mcid="${second}"]`);
  check('either opens from the list', true);

  // A search answered late never replaces a newer one: a refund would go to the trainer shown.
  const slow = new RegExp(`/v1/trainers/${card}(/history)?([?].*)?$`);
  await page.route(slow, async (route) => {
    await new Promise((resolve) => { setTimeout(resolve, 1500); });
    await route.continue();
  });
  await page.fill('#lookup-query', card);
  await page.click('#lookup-submit');
  await page.fill('#lookup-query', paypal);
  await page.click('#lookup-submit');
  await page.waitForSelector(`#trainer-panel[data-state=ready][data-mcid="${paypal}"]`);
  await page.waitForTimeout(2500);  // the earlier search's answers come meanwhile
  await page.unroute(slow);
  checkEqual('a late answer to an earlier search does not replace the newer one',
    [await page.getAttribute('#trainer-panel', 'data-mcid'), await field('mcid'), new URL(page.url()).searchParams.get('mcid')],
    [paypal, paypal, paypal]);
});

await step('Support console: refund, cancelled then confirmed', async () => {
  await openTrainer(card, card);
  const order = fixtures.orders[card];
  const placed = before.history[card].events.find((event) => event.event === 'PaymentPlaced' && event.order_id === order);
  refundAmount = placed.amount_minor;
  const previous = before.history[card].events.find((event) => event.event === 'RenewalCompleted' && event.order_id === order).previous_anniversary;
  const count = (await timelineEvents()).length;
  await page.click(`.refund-button[data-order-id="${order}"]`);
  await page.waitForSelector('#confirm-dialog[open]');
  check('Refund… opens an in-page confirmation', /Refund order/.test(await page.textContent('#confirm-title')));
  await page.click('#confirm-cancel');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  check('cancel sends nothing', (await timelineEvents()).length === count && await page.isHidden('#action-result'));

  await page.click(`.refund-button[data-order-id="${order}"]`);
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  check('the reason is required before confirming', await page.isVisible('#confirm-dialog[open]'));
  const sentBefore = commandsSent.length;
  await page.fill('#confirm-reason', '   ');
  await page.click('#confirm-ok');
  check('spaces alone are no reason: the dialog stays, nothing is sent',
    await page.isVisible('#confirm-dialog[open]') && commandsSent.length === sentBefore);
  await page.fill('#confirm-reason', 'E2E: the trainer asked to cancel');
  await screenshot('03-console-confirm', false);
  refundAt = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await page.waitForTimeout(1100); // the refund's instant is then after refundAt, to the second
  await page.click('#confirm-ok');
  await page.waitForSelector('#action-result:not([hidden])');
  check('the console says the refund was issued', /Refund issued for order/.test(await page.textContent('#action-result')));
  const sent = commandsSent.at(-1);
  check('the refund was sent with a command_id (a resend is answered, not done twice)',
    sent.command === 'IssueRefund' && typeof sent.command_id === 'string' && sent.command_id.length >= 16, JSON.stringify(sent));
  await page.waitForSelector('#timeline li[data-event=RefundIssued]');
  const item = await page.textContent('#timeline li[data-event=RefundIssued]');
  check('the refund is in the timeline with its reason', item.includes('E2E: the trainer asked to cancel') && item.includes(order), item);
  checkEqual('the timeline grew by one event', (await timelineEvents()).length, count + 1);
  check('the order shows as refunded', await page.getAttribute(`#orders tr[data-order-id="${order}"]`, 'data-refunded') === 'true');
  checkEqual('the anniversary went back (REF-2)', await field('anniversary'), previous);
  // Read your writes: the status after the command waited for the read models to hold it.
  const refundPosition = Number((await page.getAttribute('#timeline li[data-event=RefundIssued]', 'data-position')) || NaN);
  const lastStatusRead = new URL(statusReads[statusReads.length - 1]);
  checkEqual('the status read after the refund asks for its position (?after=)',
    Number(lastStatusRead.searchParams.get('after')), refundPosition);
  await screenshot('03-console-refunded');
});

await step('Support console: Refund… is offered only where REF-1 allows it', async () => {
  await openTrainer(paypal, paypal);
  const order = fixtures.orders[paypal];
  checkEqual('a PayPal order has no Refund… button', await page.$(`.refund-button[data-order-id="${order}"]`), null);
  const said = await page.textContent(`#orders tr[data-order-id="${order}"] .refund-refusal`);
  check('the row says why (REF-1)', /card payments/.test(said) && /REF-1/.test(said), said);
  // The server agrees: the same refund straight to the API is refused and writes nothing.
  const count = (await timelineEvents()).length;
  const direct = await postCommand(paypal, { command: 'IssueRefund', order_id: order, reason: 'E2E: should be refused' });
  checkEqual('a PayPal refund is refused refund_not_allowed (REF-1)', direct.answer.code, 'refund_not_allowed');
  await openTrainer(paypal, paypal);
  checkEqual('nothing was written', (await timelineEvents()).length, count);
});

await step('Support console: a refused refund shows the server\'s message, and the next try is a new command', async () => {
  const mcid = '9100012';
  const order = fixtures.orders[mcid];
  const commands = `**/v1/trainers/${mcid}/commands`;
  await openTrainer(mcid, mcid);
  const count = (await timelineEvents()).length;
  const sentBefore = commandsSent.length;
  // A refusal decides the command: trying again is another command, with another id.
  await page.route(commands, (route) => route.fulfill({
    status: 422, contentType: 'application/json',
    body: JSON.stringify({ code: 'refund_not_allowed', message: 'E2E: refused by a stand-in' }),
  }));
  await confirmRefund(order, 'E2E: first try');
  await page.waitForFunction(() => document.querySelector('#action-error .message')?.textContent === 'E2E: refused by a stand-in');
  await page.waitForSelector('#trainer-panel[data-state=ready]');
  await page.unroute(commands);
  // Meanwhile another support agent refunds it: the page still offers Refund…, the server refuses.
  const elsewhere = await postCommand(mcid, { command: 'IssueRefund', order_id: order, reason: 'E2E: by another agent' });
  checkEqual('the other agent\'s refund is accepted', elsewhere.status, 200);
  otherRefunds.push(elsewhere.answer.events[0].amount_minor);
  await confirmRefund(order, 'E2E: second try');
  await page.waitForFunction(() => document.querySelector('#action-error .code')?.textContent === 'already_refunded');
  const shown = {
    code: await page.textContent('#action-error .code'),
    message: await page.textContent('#action-error .message'),
  };
  const again = await postCommand(mcid, { command: 'IssueRefund', order_id: order, reason: 'E2E: second try' });
  checkEqual('the error shown is the server\'s {code, message}', shown, { code: again.answer.code, message: again.answer.message });
  const ids = commandsSent.slice(sentBefore).map((sent) => sent.command_id);
  check('the try after a refusal sends a new command_id', ids.length === 2 && ids[0] !== ids[1], JSON.stringify(ids));
  await page.waitForSelector(`#orders tr[data-order-id="${order}"][data-refunded=true]`);
  checkEqual('the view was reloaded: the other refund, and no more Refund…',
    [(await timelineEvents()).length, await page.$(`.refund-button[data-order-id="${order}"]`)], [count + 1, null]);
  await screenshot('04-console-refused');
});

await step('Support console: an action whose answer was lost goes again under the same id, done once', async () => {
  const mcid = '9100003';
  const order = fixtures.orders[mcid];
  const commands = `**/v1/trainers/${mcid}/commands`;
  await openTrainer(mcid, mcid);
  const count = (await timelineEvents()).length;
  const sentBefore = commandsSent.length;
  // The server does it; its answer never reaches the page.
  let done = null;
  await page.route(commands, async (route) => {
    done = await (await route.fetch()).json();
    await route.abort('connectionreset');
  });
  await confirmRefund(order, 'E2E: the answer was lost');
  await page.waitForFunction(() => document.querySelector('#action-error .code')?.textContent === 'network');
  await page.unroute(commands);
  checkEqual('the lost answer was an accepted refund', done && done.events.map((event) => event.event), ['RefundIssued']);
  otherRefunds.push(done.events[0].amount_minor);
  await confirmRefund(order, 'E2E: the answer was lost');
  await page.waitForSelector('#action-result:not([hidden])');
  const ids = commandsSent.slice(sentBefore).map((sent) => sent.command_id);
  check('the try after the lost answer sends the same command_id', ids.length === 2 && ids[0] === ids[1], JSON.stringify(ids));
  await page.waitForSelector(`#orders tr[data-order-id="${order}"][data-refunded=true]`);
  const events = await timelineEvents();
  checkEqual('the refund was done once', [events.length, events.filter((event) => event === 'RefundIssued').length], [count + 1, 1]);
});

await step('Support console: alumni switch-back, its view late once', async () => {
  await openTrainer(alumni, alumni);
  checkEqual('the trainer is alumni', await page.getAttribute('#status-badge', 'data-status'), 'alumni');
  // The first status read after the command is told the read models are behind (as mctd answers
  // when they miss its wait): the console asks again rather than dropping the trainer.
  const afterRead = /\/v1\/trainers\/\d+\?(.*&)?after=/;
  let afterReads = 0;
  await page.route(afterRead, (route) => {
    afterReads += 1;
    if (afterReads > 1) return route.continue();
    return route.fulfill({
      status: 503,
      headers: { 'Retry-After': '1' },
      contentType: 'application/json',
      body: JSON.stringify({ code: 'read_models_behind', message: 'the read models have not yet applied that position' }),
    });
  });
  await page.click('#switch-back');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('#action-result:not([hidden])');
  await page.waitForSelector('#trainer-panel[data-state=catching-up]');
  check('the trainer stays on screen while its view catches up', !(await page.isHidden('#trainer-panel')));
  await page.waitForSelector('#timeline li[data-event=AlumniSwitchedBack]');
  await page.unroute(afterRead);
  checkEqual('the status was asked for again after the 503', afterReads, 2);
  const events = await timelineEvents();
  checkEqual('the switch-back is the last event', events[events.length - 1], 'AlumniSwitchedBack');
  checkEqual('the trainer is back in the renewal (ALUM-2)', await page.getAttribute('#status-badge', 'data-status'), 'renewal_open');
  check('the switch-back button is gone', await page.isHidden('#switch-back'));
});

await step('Sign-out, then the auditor view', async () => {
  await page.click('#sign-out');
  await page.waitForURL(/\/index\.html/);
  check('sign-out forgets the token', await page.evaluate(() => sessionStorage.getItem('mct_token')) === null);
  await page.goto(`${server.url}/audit.html`);
  await page.waitForURL(/\/index\.html\?next=audit\.html/);
  await signIn(env.auditorToken, 'audit.html');
  check('an auditor signs in and lands on the auditor view', page.url().endsWith('/audit.html'));

  const instant = fixtures.audit_before_refund;
  const asOf = before.asOf[`${audited}@${instant}`];
  await page.fill('#audit-mcid', audited);
  await page.fill('#as-of', localInput(instant));
  await page.click('#asof-submit');
  await page.waitForSelector(`#audit-result[data-state=ready][data-as-of="${instant}"]`);
  const rows = await page.$$eval('#audit-history tbody tr[data-event]', (items) => items.map((item) => [item.dataset.event, item.dataset.at]));
  checkEqual(`history as of ${instant} is mctctl history --as-of`, rows, asOf.history.events.map((event) => [event.event, event.at]));
  check('no event after the instant is shown', rows.every(([, at]) => at <= instant) && !rows.some(([event]) => event === 'RefundIssued'));
  const all = before.history[audited].events;
  check('later events exist (the refund)', all.some((event) => event.event === 'RefundIssued' && event.at > instant));
  for (const name of ['status', 'anniversary', 'last_order']) {
    checkEqual(`status ${name} as of the instant is mctctl's`, await page.$eval(`#audit-status [data-field="${name}"]`, (node) => node.textContent.trim()),
      String(asOf.status[name]));
  }
  checkEqual('the event count shown', await page.getAttribute('#audit-count', 'data-value'), String(asOf.history.events.length));
  await screenshot('05-audit-as-of');

  await page.click('#asof-now');
  await page.waitForSelector('#audit-result[data-state=ready][data-as-of=""]');
  checkEqual('without an instant: the whole history', await page.$$eval('#audit-history tbody tr[data-event]', (items) => items.map((item) => item.dataset.event)),
    all.map((event) => event.event));

  // The console's refund: after refundAt, so not in the history as of refundAt.
  await page.goto(`${server.url}/audit.html?mcid=${card}&as_of=${encodeURIComponent(refundAt)}`);
  await page.waitForSelector(`#audit-result[data-state=ready][data-mcid="${card}"]`);
  const asOfRefund = await page.$$eval('#audit-history tbody tr[data-event]', (items) => items.map((item) => item.dataset.event));
  checkEqual('as of just before the console\'s refund: the history before it', asOfRefund, before.history[card].events.map((event) => event.event));
  checkEqual('the instant in the link fills the form', await page.inputValue('#as-of'), localInput(refundAt));
  // The same instant with an offset in the address: the field shows it in UTC, so that Show
  // asks for that instant again rather than one nine hours later.
  const tokyo = `${new Date(Date.parse(refundAt) + 9 * 3600 * 1000).toISOString().slice(0, 19)}+09:00`;
  await page.goto(`${server.url}/audit.html?mcid=${card}&as_of=${encodeURIComponent(tokyo)}`);
  await page.waitForSelector(`#audit-result[data-state=ready][data-as-of="${tokyo}"]`);
  checkEqual('an instant with an offset fills the form in UTC', await page.inputValue('#as-of'), localInput(refundAt));
  await page.click('#asof-submit');
  await page.waitForSelector(`#audit-result[data-state=ready][data-as-of="${refundAt}"]`);
  checkEqual('and Show asks for the same instant', await page.$$eval('#audit-history tbody tr[data-event]', (items) => items.map((item) => item.dataset.event)),
    asOfRefund);
  await page.click('#asof-now');
  await page.waitForSelector('#audit-result[data-state=ready][data-as-of=""]');
  const now = await page.$$eval('#audit-history tbody tr[data-event]', (items) => items.map((item) => item.dataset.event));
  checkEqual('now: the same plus the refund', now, [...before.history[card].events.map((event) => event.event), 'RefundIssued']);

  await page.click('#verify-run');
  await page.waitForSelector('#verify-message[data-outcome]');
  const outcome = await page.getAttribute('#verify-message', 'data-outcome');
  const text = await page.textContent('#verify-message');
  await screenshot('06-audit-verify');
  if (outcome === 'unavailable') {
    check('verify: a 404 from /v1/verify is said clearly', /404/.test(text) && /verify/.test(text), text);
  } else {
    const json = JSON.parse(await page.textContent('#verify-result'));
    check(`verify: the server's answer is shown (${outcome})`, outcome === 'ok' && json.ok === true, JSON.stringify(json));
    const shownCheckpoint = await page.textContent('#verify-checkpoint-now .checkpoint');
    checkEqual('verify: the checkpoint to record is shown', shownCheckpoint, `${json.checkpoint.position}:${json.checkpoint.digest}`);
    // Given back: the log up to it is unchanged; with another digest, the page says it changed.
    const runWith = async (checkpoint) => {
      await page.fill('#verify-checkpoint', checkpoint);
      await page.click('#verify-run');
      await page.waitForSelector('#verify-message[data-outcome]');
      return [await page.getAttribute('#verify-message', 'data-outcome'), await page.textContent('#verify-message')];
    };
    const [heldOutcome, heldText] = await runWith(shownCheckpoint);
    check('verify: a checkpoint given back holds', heldOutcome === 'ok' && /unchanged since the checkpoint/.test(heldText), heldText);
    const altered = shownCheckpoint.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
    const [changedOutcome, changedText] = await runWith(altered);
    check('verify: another digest is said to be a changed log', changedOutcome === 'changed' && /no longer matches the recorded checkpoint/.test(changedText), changedText);
    const [badOutcome, badText] = await runWith('not a checkpoint');
    check('verify: a malformed checkpoint shows the server\'s 400', badOutcome === 'error' && /checkpoint/.test(badText), badText);
    await page.fill('#verify-checkpoint', '');
    // And where the route is missing (a server without it answers 404): said clearly.
    await page.route('**/v1/verify', (route) => route.fulfill({
      status: 404, contentType: 'application/json', body: JSON.stringify({ code: 'not_found', message: 'no such route' }),
    }));
    await page.click('#verify-run');
    await page.waitForSelector('#verify-message[data-outcome=unavailable]');
    const missing = await page.textContent('#verify-message');
    check('verify: a 404 from /v1/verify is said clearly', /404/.test(missing) && /verify/.test(missing) && await page.isHidden('#verify-result'), missing);
    await page.unroute('**/v1/verify');
  }

  // A rebuild on the running server, followed to its end: on this quiet log the rebuilt read
  // models must equal the live ones (invariant 1).
  await page.click('#rebuild-run');
  await page.waitForSelector('#rebuild-message[data-outcome]', { timeout: 60000 });
  const rebuilt = JSON.parse(await page.textContent('#rebuild-result'));
  checkEqual('rebuild: it ran to its end', [await page.getAttribute('#rebuild-message', 'data-outcome'), rebuilt.state], ['done', 'done']);
  check('rebuild: every event folded, the checksums equal', rebuilt.events_done > 0 && rebuilt.events_done === rebuilt.events_total && rebuilt.checksums_equal === true, JSON.stringify(rebuilt));
  checkEqual('rebuild: the progress bar is full', await page.$eval('#rebuild-progress', (bar) => bar.value), 1);
  await screenshot('07-audit-rebuild');
});

await step('The auditor may not send commands: the console shows forbidden', async () => {
  const other = '9100011';
  await openTrainer(other, other);
  await confirmRefund(fixtures.orders[other], 'E2E: auditors only read');
  await page.waitForSelector('#action-error:not([hidden])');
  checkEqual('the server\'s code is shown', await page.textContent('#action-error .code'), 'forbidden');
});

await step('A token the server no longer takes: "Sign in again" leads to the sign-in form', async () => {
  await page.evaluate(() => sessionStorage.setItem('mct_token', 'a-token-since-removed'));
  await page.goto(`${server.url}/console.html?mcid=${card}`);
  await page.waitForSelector('#lookup-message:not([hidden]) a[href="index.html"]');
  check('the refused token is forgotten', await page.evaluate(() => sessionStorage.getItem('mct_token')) === null);
  await page.click('#lookup-message a[href="index.html"]');
  await page.waitForSelector('#signin-panel:not([hidden])');
  check('the sign-in form is shown, not "You are signed in"', await page.isHidden('#home-panel'));
  await signIn(env.auditorToken, 'audit.html');
});

await step('A narrow window (375 px): no page needs scrolling sideways', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  for (const [file, ready] of [['dashboard.html', '#dashboard[data-state=ready]'],
    [`console.html?mcid=${card}`, '#trainer-panel[data-state=ready]'],
    [`audit.html?mcid=${card}`, '#audit-result[data-state=ready]']]) {
    await page.goto(`${server.url}/${file}`);
    await page.waitForSelector(ready);
    const [wide, window] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check(`${file}: ${wide} px wide in a ${window} px window`, wide <= window);
    check(`${file}: sign-out is within reach`, await page.$eval('#sign-out', (node) => node.getBoundingClientRect().right <= window.innerWidth));
  }
  await screenshot('08-narrow-audit');
  await page.setViewportSize({ width: 1280, height: 900 });
});

await step('mctd stops on SIGTERM', async () => {
  const { code, signal } = await server.stop();
  check('mctd exits 0 after SIGTERM', code === 0, `code ${code}, signal ${signal}`);
});

await step('Reference again: the console\'s actions are in mctctl\'s report', async () => {
  after = takeReference(env, { trainers: [card] });
  const month = refundAt.slice(0, 7);
  const was = before.report.months.find((one) => one.month === month) || { refunds_minor: 0, refunds: 0, net_minor: 0, alumni_switched_back: 0 };
  const now = after.report.months.find((one) => one.month === month);
  checkEqual(`${month}: refunds_minor grew by the refunded amounts`, now.refunds_minor - was.refunds_minor, refundAmount + sum(otherRefunds));
  checkEqual(`${month}: the console's refund and the others`, now.refunds - was.refunds, 1 + otherRefunds.length);
  checkEqual(`${month}: net fell by the refunded amounts`, was.net_minor - now.net_minor, refundAmount + sum(otherRefunds));
  checkEqual(`${month}: one alumni switch-back`, now.alumni_switched_back - was.alumni_switched_back, 1);
  checkEqual('mctctl history has the refund last', after.history[card].events.at(-1).event, 'RefundIssued');
});

await step('Dashboard after the actions, against the new reference', async () => {
  server = await startMctd(env, 'second');
  await signIn(env.supportToken, 'dashboard.html');
  const { figures } = await checkDashboard(after, 'all months, after');
  const month = refundAt.slice(0, 7);
  const was = before.report.months.find((one) => one.month === month) || { refunds_minor: 0 };
  checkEqual(`the dashboard shows ${month}'s refunds with the console's refund`, figureValue(figures, 'refunds_minor', month), was.refunds_minor + refundAmount + sum(otherRefunds));
  await page.goto(`${server.url}/console.html?mcid=${card}`);
  await page.waitForSelector(`#trainer-panel[data-state=ready][data-mcid="${card}"]`);
  checkEqual('the timeline after a restart still ends with the refund', (await timelineEvents()).at(-1), 'RefundIssued');
  const { code } = await server.stop();
  check('mctd exits 0 after SIGTERM (second run)', code === 0);
  server = null;
});

await context.close();
fs.rmSync(profileDir, { recursive: true, force: true });
if (server) await server.stop();

check('no script errors on the pages', pageErrors.length === 0, pageErrors.join('\n'));
check('no request left mctd\'s origin', offSite.length === 0, offSite.join('\n'));
check('every API request sent Authorization: Bearer', unsigned.length === 0, unsigned.join('\n'));
console.log(`\nscreenshots in ${env.work} (kept with MCT_E2E_KEEP=1) · ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

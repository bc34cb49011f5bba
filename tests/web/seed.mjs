// The scripted data of the web end-to-end test: a dozen trainers whose histories are sent with
// `mctctl submit --at`, dated relative to today (UTC) so the data stays meaningful on any day.
// Covers renewals and reinstatements over several months, card (credit, debit, Amex), PayPal and
// voucher payments, a refund issued and settled, an order paid in another fee currency and its
// refund, an alumni application, lapsed trainers and applications stopped half-way (the funnel).
//
// Usage: node seed.mjs MCTCTL DATA_DIR FIXTURES_JSON
// Writes FIXTURES_JSON: which MCID plays which part, for the test.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const [mctctl, dataDir, fixturesPath] = process.argv.slice(2);
if (!mctctl || !dataDir || !fixturesPath) {
  console.error('usage: node seed.mjs MCTCTL DATA_DIR FIXTURES_JSON');
  process.exit(2);
}

const DAY = 86400000;
const todayMidnight = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const date = (offset) => new Date(todayMidnight + offset * DAY).toISOString().slice(0, 10);
// An instant `offset` days from today at hh:mm UTC (office hours in Japan).
const at = (offset, minutes = 60) => new Date(todayMidnight + offset * DAY + minutes * 60000).toISOString().replace('.000Z', 'Z');
const cardExpiry = `${new Date(todayMidnight).getUTCFullYear() + 3}-12`;

const CARDS = {
  visa: '4111111111111111',
  mastercard: '5555555555554444',
  amex: '378282246310005',
};

const commands = [];
let submitted = 0;

// `policy`: mctctl's fee flags for this one command (an order placed while the fee was
// configured otherwise).
function send(mcid, when, body, actor = { role: 'trainer', id: mcid }, policy = []) {
  commands.push({ when, json: { ...body, mcid, actor }, policy });
}

function enroll(mcid, name, email, anniversary, enrolledOffset, tracks) {
  send(mcid, at(enrolledOffset), { command: 'EnrollTrainer', name, email, anniversary }, { role: 'system', id: 'member-site' });
  tracks.forEach((track, index) => {
    send(mcid, at(enrolledOffset, 61 + index), { command: 'RecordCertification', certification_id: `CERT-${track}-${mcid}`, track },
      { role: 'system', id: 'member-site' });
  });
}

// One application from StartRenewal up to `stopAfter` ('profile', 'requirements', 'terms',
// 'payment' = completed), on day `offset`, a minute per step.
function apply(mcid, offset, options) {
  const { employer, detail = '', track, survey = false, exception = false, method, brand, voucher, stopAfter = 'payment', payer, policy = [] } = options;
  let minute = 60;
  const next = () => at(offset, minute++);
  send(mcid, next(), { command: 'StartRenewal' });
  if (options.fteCode) {
    send(mcid, next(), { command: 'IssueFteCode', alias: detail, code: options.fteCode }, { role: 'system', id: 'member-site' });
  }
  send(mcid, next(), { command: 'ChooseProfile', employer_type: employer, employer_detail: detail, track, fte_code: options.fteCode || '' });
  if (stopAfter === 'profile') return;
  if (survey) {
    send(mcid, next(), { command: 'RecordMtmSurvey', course_name: `Course for ${track}`, course_date: date(offset - 10), average_score: 8.2 },
      { role: 'system', id: 'mtm' });
  }
  if (exception) {
    send(mcid, next(), {
      command: 'FileException', classes: 2, course_name: `Workshop for ${track}`, course_date: date(offset - 12), students: 14,
      organization: detail || 'Training venue', manager_name: 'Keiko Mori', manager_email: 'k.mori@example.jp',
    });
  }
  send(mcid, next(), { command: 'ConfirmRequirements' });
  if (stopAfter === 'requirements') return;
  send(mcid, next(), { command: 'AcceptTerms', accept_terms: true, accept_payment_redirect: true });
  if (stopAfter === 'terms') return;
  if (voucher) send(mcid, next(), { command: 'ApplyVoucher', voucher_code: voucher });
  const [first, last] = payer.split(' ');
  send(mcid, next(), {
    command: 'EnterBillingAddress', first_name: first, last_name: last, email: `${first.toLowerCase()}@example.jp`,
    email_confirmation: `${first.toLowerCase()}@example.jp`, phone: '+81-3-1234-5678', address1: '1-2-3 Shinjuku',
    address2: 'Room 405', city: 'Shinjuku-ku', state: 'Tokyo', postal_code: '160-0022', country: 'JP',
  });
  const order = { command: 'PlaceOrder', method, payer_name: payer.toUpperCase(), confirmed: true, idempotency_key: `seed-${mcid}-${offset}` };
  if (brand) {
    order.card = { holder: payer.toUpperCase(), number: CARDS[brand], expiry: cardExpiry, security_code: brand === 'amex' ? '1234' : '123' };
  }
  send(mcid, next(), order, { role: 'trainer', id: mcid }, policy);
}

// --- The trainers ----------------------------------------------------------------------------------

const fixtures = {};

// Card renewal 50 days ago; the test refunds it through the support console.
fixtures.card_renewal = '9100001';
enroll('9100001', 'Aiko Tanaka', 'aiko.tanaka@example.jp', date(30), -400, ['it_pro']);
apply('9100001', -50, { employer: 'freelance', track: 'it_pro', survey: true, method: 'credit_card', brand: 'visa', payer: 'Aiko Tanaka' });

// PayPal renewal (academic, online exception): not refundable (REF-1).
fixtures.paypal_renewal = '9100002';
enroll('9100002', 'Kenji Suzuki', 'kenji.suzuki@example.jp', date(-100), -460, ['developer']);
apply('9100002', -120, { employer: 'academic', detail: '東京テクノロジー専門学校', track: 'developer', exception: true, method: 'paypal', payer: 'Kenji Suzuki' });

// Reinstatement by debit card.
fixtures.debit_reinstatement = '9100003';
enroll('9100003', 'Yuki Yamamoto', 'yuki.yamamoto@example.jp', date(-200), -560, ['developer']);
apply('9100003', -150, { employer: 'other', track: 'developer', method: 'debit_card', brand: 'mastercard', payer: 'Yuki Yamamoto' });

// Reinstatement by PayPal (Learning Partner).
fixtures.paypal_reinstatement = '9100004';
enroll('9100004', 'Haruto Ito', 'haruto.ito@example.jp', date(-70), -430, ['dynamics']);
apply('9100004', -20, { employer: 'learning_partner', detail: 'MPN-4411902', track: 'dynamics', method: 'paypal', payer: 'Haruto Ito' });

// Amex renewal, refunded by support and settled: lapsed again (REF-2). The auditor's subject.
fixtures.refunded_renewal = '9100005';
enroll('9100005', 'Sakura Watanabe', 'sakura.watanabe@example.jp', date(-10), -375, ['it_pro', 'iw']);
apply('9100005', -80, { employer: 'government', detail: 'Ministry of Internal Affairs', track: 'it_pro', exception: true, method: 'credit_card', brand: 'amex', payer: 'Sakura Watanabe' });
send('9100005', at(-60, 120), { command: 'IssueRefund', order_id: '', reason: 'charged twice by the bank' }, { role: 'support', id: 'support-1' });
send('9100005', at(-55, 120), { command: 'SettleRefund', order_id: '' }, { role: 'system', id: 'arvato' });
fixtures.audit_before_refund = at(-61, 0);

// Applied to the Alumni Program by mistake; the test switches it back through the console.
fixtures.alumni = '9100006';
enroll('9100006', 'Ren Nakamura', 'ren.nakamura@example.jp', date(70), -295, ['it_pro']);
send('9100006', at(-5), { command: 'ApplyAlumni' });

// Lapsed, never renewed.
enroll('9100007', 'Mei Kobayashi', 'mei.kobayashi@example.jp', date(-40), -405, ['iw']);

// Due in 10 days: started, stopped after the profile.
enroll('9100008', 'Sota Kato', 'sota.kato@example.jp', date(10), -355, ['iw']);
apply('9100008', -3, { employer: 'freelance', track: 'iw', stopAfter: 'profile' });

// Due in 50 days: stopped after the terms.
enroll('9100009', 'Hina Yoshida', 'hina.yoshida@example.jp', date(50), -315, ['developer']);
apply('9100009', -30, { employer: 'freelance', track: 'developer', survey: true, stopAfter: 'terms' });

// Voucher renewal (Learning Partner, survey).
enroll('9100010', 'Daiki Yamada', 'daiki.yamada@example.jp', date(-140), -505, ['it_pro']);
apply('9100010', -150, { employer: 'learning_partner', detail: 'MPN-5520017', track: 'it_pro', survey: true, method: 'voucher', voucher: 'MCTV-SEED-0001', payer: 'Daiki Yamada' });

// Imagine Academy, Visa, and a welcome kit a week later.
enroll('9100011', 'Yui Sasaki', 'yui.sasaki@example.jp', date(20), -345, ['iw']);
apply('9100011', -35, { employer: 'imagine_academy', detail: 'MIA-20931', track: 'iw', exception: true, method: 'credit_card', brand: 'visa', payer: 'Yui Sasaki' });
send('9100011', at(-25), { command: 'OrderWelcomeKit' });

// Microsoft employee (FTE code), Mastercard.
enroll('9100012', 'Takumi Yamaguchi', 'takumi.yamaguchi@example.jp', date(-30), -395, ['dynamics']);
apply('9100012', -90, { employer: 'microsoft_fte', detail: 'northamerica\\tyamaguchi', fteCode: '483920', track: 'dynamics', exception: true, method: 'credit_card', brand: 'mastercard', payer: 'Takumi Yamaguchi' });

// Requirements confirmed this month, not paid.
enroll('9100013', 'Riko Inoue', 'riko.inoue@example.jp', date(25), -340, ['dynamics']);
apply('9100013', -1, { employer: 'other', track: 'dynamics', survey: true, stopAfter: 'requirements' });

// Paid while the fee was configured in euros (PAY-6), then refunded: the report and the dashboard
// keep both apart from the configured currency's revenue, refunds and net.
fixtures.euro_renewal = '9100016';
enroll('9100016', 'Emma Schneider', 'emma.schneider@example.jp', date(40), -325, ['it_pro']);
apply('9100016', -45, { employer: 'freelance', track: 'it_pro', survey: true, method: 'credit_card', brand: 'visa', payer: 'Emma Schneider',
  policy: ['--currency', 'EUR', '--fee-minor', '30000'] });
send('9100016', at(-40, 120), { command: 'IssueRefund', order_id: '', reason: 'paid in the wrong currency' }, { role: 'support', id: 'support-1' });

// Two trainers sharing one e-mail address (a family's): a look-up by it finds both.
fixtures.shared_email = 'the.hayashi.family@example.jp';
fixtures.shared_email_trainers = ['9100014', '9100015'];
enroll('9100014', 'Aoi Hayashi', fixtures.shared_email, date(200), -165, ['it_pro']);
enroll('9100015', 'Haruto Hayashi', fixtures.shared_email, date(250), -115, ['iw']);

// --- Sending ---------------------------------------------------------------------------------------

function submit({ when, json, policy }) {
  try {
    return JSON.parse(execFileSync(mctctl, ['--data', dataDir, '--json', ...policy, 'submit', '--at', when, JSON.stringify(json)], { encoding: 'utf8' }));
  } catch (error) {
    const out = `${error.stdout || ''}${error.stderr || ''}`.trim();
    throw new Error(`seed: ${json.command} for ${json.mcid} at ${when} failed: ${out}`);
  }
}

// Commands in time order, so "at" never goes back within a stream.
commands.sort((a, b) => a.when.localeCompare(b.when));
const orders = {};
for (const command of commands) {
  if ((command.json.command === 'IssueRefund' || command.json.command === 'SettleRefund') && !command.json.order_id) {
    command.json.order_id = orders[command.json.mcid];
  }
  const answer = submit(command);
  submitted += 1;
  for (const event of answer.events || []) {
    if (event.event === 'PaymentPlaced') orders[event.mcid] = event.order_id;
  }
}

fixtures.orders = orders;
fixtures.today = date(0);
fixtures.commands = submitted;
fs.writeFileSync(fixturesPath, `${JSON.stringify(fixtures, null, 2)}\n`);
console.log(`seed: ${submitted} commands for ${new Set(commands.map((c) => c.json.mcid)).size} trainers`);

// The dashboard's figures against mctctl's report: what each [data-figure] element should say.
// The data attributes are described at the top of admin/web/dashboard.js.

const PER_MONTH = ['renewals', 'reinstatements', 'revenue_minor', 'refunds_minor', 'net_minor', 'refunds', 'lapses',
  'exceptions_filed', 'uploads', 'alumni_applied', 'alumni_switched_back'];
const FUNNEL = ['started', 'profile', 'requirements', 'terms', 'payment', 'completed'];
const DIMENSIONS = ['by_employer_type', 'by_track', 'by_payment_method'];
// {currency: minor} of orders paid in another fee currency; shown as range sums by currency.
const OTHER_CURRENCIES = ['revenue_minor_other_currencies', 'refunds_minor_other_currencies'];

export function addMonths(month, count) {
  const [year, number] = month.split('-').map(Number);
  const index = year * 12 + (number - 1) + count;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function monthsBetween(from, to) {
  const out = [];
  for (let month = from; month <= to; month = addMonths(month, 1)) out.push(month);
  return out;
}

function monthReports(reference, figure, range) {
  const months = reference.report.months;
  if (figure.month === 'range') return months.filter((one) => one.month >= range.from && one.month <= range.to);
  return months.filter((one) => one.month === figure.month);
}

function sum(reports, pick) {
  let total = 0;
  for (const report of reports) {
    const value = pick(report);
    if (value === undefined) return Number.NaN; // the report has no such field
    total += value;
  }
  return total;
}

// The value mctctl gives for one figure (its data attributes), or NaN when it names nothing.
export function expectedFigure(reference, figure, range) {
  if (figure.figure === 'lapsed_now') return reference.report.lapsed_now;
  if (figure.figure === 'due_count') return reference.due[figure.days] ? reference.due[figure.days].count : Number.NaN;
  if (!figure.month) return Number.NaN;
  const reports = monthReports(reference, figure, range);
  if (figure.dimension) {
    return sum(reports, (report) => {
      const counts = (report[figure.dimension] || {})[figure.key] || { renewal: 0, reinstatement: 0 };
      if (figure.kind === 'total') return counts.renewal + counts.reinstatement;
      return counts[figure.kind];
    });
  }
  if (OTHER_CURRENCIES.includes(figure.figure)) {
    return sum(reports, (report) => (report[figure.figure] === undefined ? undefined : report[figure.figure][figure.key] || 0));
  }
  if (figure.figure.startsWith('funnel.')) return sum(reports, (report) => report.funnel[figure.figure.slice(7)]);
  return sum(reports, (report) => report[figure.figure]);
}

// Digits (and a minus) of a shown number: "1,234.00" → 123400, the minor units a money figure holds.
export function shownNumber(text) {
  const digits = String(text).replace(/[^0-9-]/g, '');
  return digits === '' || digits === '-' ? Number.NaN : Number(digits);
}

function describe(figure) {
  return Object.entries(figure).filter(([key]) => key !== 'text' && key !== 'value').map(([key, value]) => `${key}=${value}`).join(' ');
}

// Compares every figure the page shows; answers a list of problems (empty: all agree).
export function compareFigures(reference, figures, range) {
  const problems = [];
  for (const figure of figures) {
    const expected = expectedFigure(reference, figure, range);
    const value = Number(figure.value);
    if (Number.isNaN(expected)) {
      problems.push(`${describe(figure)}: mctctl has no such figure`);
    } else if (value !== expected) {
      problems.push(`${describe(figure)}: page says ${figure.value}, mctctl says ${expected}`);
    } else if (shownNumber(figure.text) !== expected) {
      problems.push(`${describe(figure)}: page shows "${figure.text}", mctctl says ${expected}`);
    }
  }
  // Completeness: each figure the report has for the range is shown.
  const has = new Set(figures.map((figure) => `${figure.figure}|${figure.month || ''}|${figure.dimension || ''}|${figure.key || ''}|${figure.kind || ''}|${figure.days || ''}`));
  const need = (figure, month = '', dimension = '', key = '', kind = '', days = '') => {
    const id = `${figure}|${month}|${dimension}|${key}|${kind}|${days}`;
    if (!has.has(id)) problems.push(`missing figure ${id}`);
  };
  need('lapsed_now');
  for (const days of ['30', '60', '90']) need('due_count', '', '', '', '', days);
  for (const month of [...monthsBetween(range.from, range.to), 'range']) {
    for (const name of PER_MONTH) need(name, month);
    for (const stage of FUNNEL) need(`funnel.${stage}`, month);
  }
  const inRange = reference.report.months.filter((one) => one.month >= range.from && one.month <= range.to);
  for (const dimension of DIMENSIONS) {
    const keys = new Set(inRange.flatMap((one) => Object.keys(one[dimension] || {})));
    for (const key of keys) for (const kind of ['renewal', 'reinstatement', 'total']) need(dimension, 'range', dimension, key, kind);
  }
  const currencies = new Set(inRange.flatMap((one) => OTHER_CURRENCIES.flatMap((field) => Object.keys(one[field] || {}))));
  for (const currency of currencies) for (const field of OTHER_CURRENCIES) need(field, 'range', '', currency);
  // Nothing shown for a month outside the range.
  for (const figure of figures) {
    if (figure.month && figure.month !== 'range' && (figure.month < range.from || figure.month > range.to)) {
      problems.push(`${describe(figure)}: outside the range ${range.from}..${range.to}`);
    }
  }
  return problems;
}

// The bars of the per-month chart against the report.
export function compareBars(reference, bars, range) {
  const problems = [];
  const months = monthsBetween(range.from, range.to);
  for (const series of ['renewals', 'reinstatements']) {
    const drawn = bars.filter((bar) => bar.chart === series);
    if (drawn.length !== months.length) problems.push(`${series}: ${drawn.length} bars for ${months.length} months`);
    for (const bar of drawn) {
      const expected = expectedFigure(reference, { figure: series, month: bar.month }, range);
      if (Number(bar.value) !== expected) problems.push(`bar ${series} ${bar.month}: ${bar.value}, mctctl says ${expected}`);
    }
  }
  return problems;
}

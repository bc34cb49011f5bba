// Events as people read them: a one-line summary per event type, the payload's fields, and the
// timeline list shared by the support console and the auditor view.
'use strict';

const MCTEvents = (() => {
  const { el, formatMinor } = MCT;
  const ENVELOPE = new Set(['event', 'mcid', 'at', 'actor', 'command_id', 'correlation_id', 'causation_id',
    'stream_version', 'global_position', 'prev_hash', 'hash']);

  // The event's own fields (AUDIT-1: the envelope is shown apart).
  function payload(event) {
    return Object.entries(event).filter(([key]) => !ENVELOPE.has(key));
  }

  function money(minor, currency) {
    return `${formatMinor(Number(minor) || 0)} ${currency || ''}`.trim();
  }

  const SUMMARIES = {
    TrainerEnrolled: (e) => `Enrolled ${e.name} <${e.email}>, anniversary ${e.anniversary}`,
    CertificationRecorded: (e) => `Certification ${e.certification_id} (${e.track})`,
    RenewalStarted: (e) => `${e.kind === 'reinstatement' ? 'Reinstatement' : 'Renewal'} started for the deadline ${e.anniversary}`,
    FteCodeIssued: (e) => `FTE code issued for ${e.alias}, valid until ${e.expires_at}`,
    ProfileChosen: (e) => `Profile: ${e.employer_type}${e.employer_detail ? ` (${e.employer_detail})` : ''}, track ${e.track}`,
    ExceptionFiled: (e) => `Online exception: ${e.course_name} on ${e.course_date}, ${e.students} students`,
    MtmSurveyRecorded: (e) => `MTM survey: ${e.course_name} on ${e.course_date}, score ${e.average_score}`,
    MtmReportUploaded: (e) => `Survey report uploaded (${e.media_type}, ${e.size} bytes): ${e.course_name}`,
    RequirementsConfirmed: () => 'Requirements confirmed',
    TermsAccepted: () => 'Terms accepted',
    VoucherApplied: (e) => `Voucher ${e.voucher_code} applied`,
    BillingAddressEntered: (e) => `Billing address: ${e.first_name} ${e.last_name}, ${e.city} ${e.country}`,
    PaymentPlaced: (e) => `Order ${e.order_id}: ${money(e.amount_minor, e.currency)} by ${e.method}` +
      (e.card_brand ? ` (${e.card_brand} …${e.card_last4})` : ''),
    RenewalCompleted: (e) => `${e.kind === 'reinstatement' ? 'Reinstatement' : 'Renewal'} completed (${e.order_id}): ` +
      `anniversary ${e.previous_anniversary} → ${e.new_anniversary}`,
    WelcomeKitOrdered: (e) => `Welcome kit ordered (${e.order_id})`,
    RefundIssued: (e) => `Refund of ${e.order_id}: ${formatMinor(Number(e.amount_minor) || 0)} — ${e.reason}`,
    RefundSettled: (e) => `Refund of ${e.order_id} settled`,
    AlumniApplied: () => 'Applied to the Alumni Program',
    AlumniSwitchedBack: () => 'Switched back from the Alumni Program',
  };

  function summary(event) {
    const make = SUMMARIES[event.event];
    return make ? make(event) : event.event;
  }

  function actorText(actor) {
    return actor ? `${actor.role}:${actor.id}` : '';
  }

  function details(event) {
    const rows = payload(event);
    if (!rows.length) return null;
    return el('dl', { class: 'event-fields' }, ...rows.flatMap(([key, value]) => [
      el('dt', {}, key),
      el('dd', {}, value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)),
    ]));
  }

  // Fills `list` (an <ol>) with one <li> per event, newest last.
  function renderTimeline(list, events) {
    list.replaceChildren(...events.map((event) => el('li', {
      class: `event event-${event.event}`,
      dataset: { event: event.event, version: String(event.stream_version), position: String(event.global_position), at: event.at },
    },
    el('div', { class: 'event-head' },
      el('time', { datetime: event.at }, event.at.replace('T', ' ').replace('Z', ' UTC')),
      el('span', { class: 'event-name' }, event.event),
      el('span', { class: 'actor muted' }, `by ${actorText(event.actor)}`),
      el('span', { class: 'version muted' }, `v${event.stream_version}`)),
    el('div', { class: 'event-summary' }, summary(event)),
    el('details', {}, el('summary', {}, 'Fields'), details(event) || el('p', { class: 'muted' }, 'No fields.'),
      el('p', { class: 'muted mono' }, `command ${event.command_id} · #${event.global_position} · hash ${String(event.hash || '').slice(0, 16)}…`)))));
  }

  return { payload, summary, actorText, details, renderTimeline, money };
})();

// The answer schemas of the OpenAPI document: what each route's 200 carries, as admin/queries.cc,
// admin/status_json.cc, api_commands.cc and api_reads.cc build it, and the events as the codec
// renders them (consumers/json_schema.h).
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "admin/server/openapi_schemas.h"
#include "consumers/json_schema.h"
#include "consumers/log_export.h"
#include "domain/decide.h"
#include "domain/state.h"
#include "projections/status.h"
#include "projections/trainer_view.h"

namespace mct::admin::server {
namespace {

using Json = OpenApiJson;

// The scalar types of the answers (functions: a global JSON value is not trivially destructible).
Json Text() { return Json{{"type", "string"}}; }
Json Count() { return Json{{"type", "integer"}, {"format", "int64"}}; }
Json Described(Json schema, std::string_view description) {
  schema["description"] = description;
  return schema;
}
Json Day() { return Json{{"type", "string"}, {"format", "date"}}; }
Json Instant() { return Json{{"type", "string"}, {"format", "date-time"}}; }

Json Nullable(Json schema) {
  schema["nullable"] = true;
  return schema;
}

Json Enumeration(const std::vector<std::string>& names) {
  return Json{{"type", "string"}, {"enum", names}};
}

template <typename E>
std::vector<std::string> NamesOf(std::initializer_list<E> values) {
  std::vector<std::string> names;
  for (const E value : values) names.emplace_back(ToString(value));
  return names;
}

// An object whose every member is required: the answers never leave a member out (an absent value
// is null).
Json Object(Json properties, std::string description = "") {
  Json required = Json::array();
  for (const auto& [name, unused] : properties.items()) required.push_back(name);
  Json schema{{"type", "object"}, {"required", required}, {"properties", std::move(properties)}};
  if (!description.empty()) schema["description"] = std::move(description);
  return schema;
}

Json ArrayOf(Json items) { return Json{{"type", "array"}, {"items", std::move(items)}}; }

Json ErrorSchema() {
  Json codes = Json::array();
  for (const auto code : domain::AllRejectionCodes())
    codes.push_back(std::string(domain::ToString(code)));
  return Object(
      {{"code",
        {{"type", "string"},
         {"description",
          "a rejection code (x-rejection-codes), or invalid_input, unauthorized, forbidden, "
          "rate_limited, unavailable, read_models_behind, not_ready, internal; not_found for a "
          "path no route matches, and method_not_allowed (405, with an Allow header) for a "
          "route asked with a method it does not take. Each response lists the codes it can "
          "carry."},
         {"x-rejection-codes", codes}}},
       {"message", {{"type", "string"}, {"description", "for people: what to do"}}}});
}

// The event as consumers::ToJson renders it: the envelope, then its type's payload fields.
void AddEventSchemas(Json& schemas) {
  schemas["EventEnvelope"] = consumers::EnvelopeJsonSchema();
  Json one_of = Json::array();
  Json mapping = Json::object();
  for (auto& [name, payload] : consumers::PayloadJsonSchemas()) {
    schemas[name] = Json{{"allOf", {SchemaRef("EventEnvelope"), payload}}};
    one_of.push_back(SchemaRef(name));
    mapping[name] = "#/components/schemas/" + name;
  }
  schemas["Event"] =
      Json{{"oneOf", one_of}, {"discriminator", {{"propertyName", "event"}, {"mapping", mapping}}}};
}

// StatusToJson (admin/status_json.h) with the name and e-mail StatusQuery adds.
Json TrainerStatusSchema() {
  using domain::Step;
  using projections::StatusKind;
  return Object({{"mcid", Text()},
                 {"as_of", Instant()},
                 {"status", Enumeration(NamesOf({StatusKind::kActive, StatusKind::kRenewalOpen,
                                                 StatusKind::kRenewalInProgress,
                                                 StatusKind::kLapsed, StatusKind::kAlumni}))},
                 {"step", Nullable(Enumeration(NamesOf({Step::kProfile, Step::kRequirements,
                                                        Step::kTerms, Step::kPayment})))},
                 {"kind", Nullable(Enumeration(consumers::JsonNamesOf<domain::RenewalKind>()))},
                 {"anniversary", Day()},
                 {"days_left", Count()},
                 {"window_opens", Day()},
                 {"reinstatement_opens", Nullable(Day())},
                 {"last_order", Nullable(Text())},
                 {"name", Text()},
                 {"email", Text()}});
}

// Completed renewals and reinstatements by one dimension, keyed by that dimension's names.
Json CompletedBy(const std::vector<std::string>& keys) {
  Json counts = Json::object();
  for (const auto& kind : consumers::JsonNamesOf<domain::RenewalKind>()) counts[kind] = Count();
  return Json{{"type", "object"},
              {"description", "only the values that occurred are present"},
              {"x-keys", keys},
              {"additionalProperties", Object(counts)}};
}

// One month of ReportQuery (admin/queries.cc MonthReport).
Json MonthReportSchema() {
  using projections::FunnelStage;
  Json funnel = Json::object();
  for (const auto& stage :
       NamesOf({FunnelStage::kStarted, FunnelStage::kProfile, FunnelStage::kRequirements,
                FunnelStage::kTerms, FunnelStage::kPayment, FunnelStage::kCompleted})) {
    funnel[stage] = Count();
  }
  return Object(
      {{"month", {{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}$"}}},
       {"renewals", Count()},
       {"reinstatements", Count()},
       {"by_employer_type", CompletedBy(consumers::JsonNamesOf<domain::EmployerType>())},
       {"by_track", CompletedBy(consumers::JsonNamesOf<domain::Track>())},
       {"by_payment_method", CompletedBy(consumers::JsonNamesOf<domain::PaymentMethod>())},
       {"currency", Text()},
       {"revenue_minor", Count()},
       {"revenue_minor_other_currencies",
        {{"type", "object"},
         {"description",
          "revenue of orders placed in another currency than `currency` (the fee's "
          "configuration changed), by currency; not in `revenue_minor` nor `net_minor`"},
         {"additionalProperties", Count()}}},
       {"refunds_minor", Count()},
       {"refunds_minor_other_currencies",
        {{"type", "object"},
         {"description",
          "refunds of orders paid in another currency than `currency`, by that currency "
          "(`unknown` for a refund of an order the log does not show paid, or one paid before "
          "orders kept their currency and not yet rebuilt); not in "
          "`refunds_minor` nor `net_minor`"},
         {"additionalProperties", Count()}}},
       {"net_minor", Count()},
       {"refunds",
        Described(Count(), "refunds issued in the month, whatever their order's currency")},
       {"lapses", Count()},
       {"funnel", Object(funnel)},
       {"exceptions_filed", Count()},
       {"uploads", Count()},
       {"alumni_applied", Count()},
       {"alumni_switched_back", Count()}});
}

Json ReportsSchema() {
  return Json{
      {"type", "object"},
      {"description", "with ?month=, that month's `report`; without, `months`: every month's"},
      {"required", {"as_of", "lapsed_now"}},
      {"properties",
       {{"as_of", Instant()},
        {"lapsed_now", Count()},
        {"report", SchemaRef("MonthReport")},
        {"months", ArrayOf(SchemaRef("MonthReport"))}}}};
}

// POST /v1/verify (api_reads.cc): invariant 6, a broken link is a finding answered 200.
Json VerifyReportSchema() {
  return Object(
      {{"ok", {{"type", "boolean"}}},
       {"events", Count()},
       {"streams", Count()},
       {"broken_link", Nullable(Object({{"mcid", Nullable(Text())},
                                        {"version", Count()},
                                        {"position", Count()},
                                        {"problem", Text()},
                                        {"message", Text()}},
                                       "the first broken link; null when every chain holds"))},
       {"checkpoint",
        Nullable(Object({{"position", Count()}, {"digest", Text()}},
                        "the log's checkpoint (its events, and the digest of them: README, "
                        "Checkpoints), to keep outside the system; null when a chain broke"))},
       {"recorded_checkpoint_holds",
        Nullable({{"type", "boolean"},
                  {"description",
                   "whether the log's first events still have the ?checkpoint= digest; null "
                   "when none was given or a chain broke first"}})}});
}

// POST and GET /v1/rebuild (rebuild_job.h): fields appear as the rebuild gets to them, so only
// the state is always there.
Json RebuildStatusSchema() {
  Json schema = Object(
      {{"state", Enumeration({"idle", "running", "done", "failed"})},
       {"asked_by", Object({{"role", Text()}, {"id", Text()}})},
       {"started_at", Instant()},
       {"finished_at", Instant()},
       {"events_done", Count()},
       {"events_total", Count()},
       {"progress", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
       {"seconds", {{"type", "number"}}},
       {"events_per_second", {{"type", "number"}}},
       {"checksum_before", Text()},
       {"checksum_after", Text()},
       {"checksums_equal", {{"type", "boolean"}}},
       {"error", Text()}},
      "checksums_equal is there only when no event came during the rebuild: then the rebuilt "
      "read models must equal the live ones");
  schema["required"] = Json::array({"state"});
  return schema;
}

Json JsonContent(const std::string& schema) {
  return Json{{"application/json", {{"schema", SchemaRef(schema)}}}};
}

}  // namespace

Json SchemaRef(const std::string& name) { return Json{{"$ref", "#/components/schemas/" + name}}; }

Json AnswerSchemas() {
  Json schemas = Json::object();
  schemas["Error"] = ErrorSchema();
  AddEventSchemas(schemas);
  schemas["CommandAnswer"] =
      Object({{"outcome", Enumeration({"accepted", "retried"})},
              {"command_id", Text()},
              {"events", ArrayOf(SchemaRef("Event"))}},
             "retried: the command_id (or a PlaceOrder's idempotency key) was seen before; "
             "command_id and events are what it was written under and appended then");
  schemas["TrainerStatus"] = TrainerStatusSchema();
  schemas["TrainerHistory"] = Object({{"mcid", Text()}, {"events", ArrayOf(SchemaRef("Event"))}});
  schemas["TrainerGaps"] =
      Object({{"mcid", Text()},
              {"as_of", Instant()},
              {"gaps", ArrayOf(Object({{"from", Day()}, {"to", Nullable(Day())}}))}});
  schemas["DueTrainers"] = Object(
      {{"from", Day()},
       {"to", Day()},
       {"count", Count()},
       {"trainers",
        ArrayOf(Object({{"mcid", Text()}, {"anniversary", Day()}, {"days_left", Count()}}))}});
  schemas["MonthReport"] = MonthReportSchema();
  schemas["Reports"] = ReportsSchema();
  schemas["Lookup"] = Object({{"email", Text()}, {"trainers", ArrayOf(Text())}});
  schemas["VerifyReport"] = VerifyReportSchema();
  schemas["RebuildStatus"] = RebuildStatusSchema();
  schemas["EndOfExport"] =
      Object({{std::string(consumers::kEndOfExport), Object({{"events", Count()}})}},
             "the export's last line: the events before it (a file without it was cut short)");
  schemas["ExportLine"] = Json{{"oneOf", {SchemaRef("Event"), SchemaRef("EndOfExport")}}};
  schemas["Health"] = Object({{"status", Enumeration({"ok"})}});
  schemas["Ready"] = Object({{"status", Enumeration({"ready"})}});
  return schemas;
}

Json SuccessResponse(const Route& route) {
  const std::string_view path = route.path;
  if (route.access == RouteAccess::kCommand || route.access == RouteAccess::kUpload) {
    return Json{{"description", "accepted, or a retry of an accepted command"},
                {"content", JsonContent("CommandAnswer")}};
  }
  if (path == "/v1/export") {
    return Json{
        {"description",
         "one Event per line, streamed as read, then the EndOfExport line "
         "(x-line-schema: ExportLine); an event that does not decode, or a stopping "
         "server, cuts the answer short, which a client sees as an incomplete answer "
         "and an import as an export without its end line"},
        {"content",
         {{"application/x-ndjson",
           {{"schema", {{"type", "string"}, {"x-line-schema", SchemaRef("ExportLine")}}}}}}}};
  }
  if (path == "/metrics") {
    return Json{{"description", "Prometheus text exposition format, version 0.0.4"},
                {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}};
  }
  const std::vector<std::pair<std::string_view, std::string>> bodies = {
      {"/v1/trainers/{mcid}", "TrainerStatus"},
      {"/v1/trainers/{mcid}/history", "TrainerHistory"},
      {"/v1/trainers/{mcid}/gaps", "TrainerGaps"},
      {"/v1/due", "DueTrainers"},
      {"/v1/reports", "Reports"},
      {"/v1/lookup", "Lookup"},
      {"/v1/verify", "VerifyReport"},
      {"/v1/rebuild", "RebuildStatus"},
      {"/healthz", "Health"},
      {"/readyz", "Ready"}};
  for (const auto& [route_path, schema] : bodies) {
    if (route_path == path) return Json{{"description", "OK"}, {"content", JsonContent(schema)}};
  }
  // A route added to the table without an answer schema: the OpenAPI test refuses this.
  return Json{{"description", "OK"}};
}

}  // namespace mct::admin::server

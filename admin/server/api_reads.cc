#include "admin/server/api_reads.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <ostream>
#include <streambuf>
#include <string>
#include <system_error>

#include "admin/cli.h"
#include "admin/queries.h"
#include "admin/server/http_api.h"
#include "admin/server/route_table.h"
#include "consumers/chain_verifier.h"
#include "consumers/log_export.h"
#include "consumers/read_models.h"
#include "consumers/text_checks.h"

namespace mct::admin::server {
namespace {

// An ostream onto a response's sink: a client gone away makes the stream bad, so the writer stops.
// (DataSink's own `os` reports every write as done, and the export would run to the end.) So does
// `give_up` answering true.
class SinkBuffer : public std::streambuf {
 public:
  SinkBuffer(httplib::DataSink& sink, const std::function<bool()>& give_up)
      : sink_(sink), give_up_(give_up) {}

 protected:
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    return !give_up_() && sink_.write(data, static_cast<size_t>(size)) ? size : 0;
  }
  int_type overflow(int_type letter) override {
    if (traits_type::eq_int_type(letter, traits_type::eof())) return traits_type::not_eof(letter);
    const char byte = traits_type::to_char_type(letter);
    return !give_up_() && sink_.write(&byte, 1) ? letter : traits_type::eof();
  }

 private:
  httplib::DataSink& sink_;
  const std::function<bool()>& give_up_;
};

// The export goes out as it is read, one event at a time, however long the log: memory holds one
// line, not the log. The status line left before the first event, so an error after it (an event
// that does not decode) cannot become a 500 any more: the connection is cut before the final
// chunk, which every HTTP client reports as an incomplete answer, and the server logs why.
// A server stopping lets an export run for its grace (ApiOptions::export_stop_grace), then cuts it
// the same way.
bool StreamExport(ReadContext& ctx, httplib::DataSink& sink) {
  SinkBuffer buffer(sink, ctx.export_grace_over);
  std::ostream out(&buffer);
  auto exported = consumers::ExportLog(*ctx.store.db, out, ctx.store.log->Head());
  if (!exported.ok()) {
    const std::string why = ctx.export_grace_over() ? "the server is stopping; " : "";
    spdlog::error(
        Json{{"msg", "export cut short"}, {"error", why + exported.error().message}}.dump());
    return false;
  }
  sink.done();
  return true;
}

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const domain::Actor&)>;
// Changes a query's answer for the actor who reads it.
using AnswerShape = std::function<void(Json& answer, const domain::Actor& reader)>;

// A trainer reading their own history does not get the FTE code's SHA-256 (PROF-2): a code of a
// few digits is found again from its hash in moments, and the code is what proves the trainer
// reads the Microsoft mail of the alias. Nor the event's own hash, which covers the digest and
// every other field the trainer sees (so it would give the code away as well), where it is
// shown: the event's `hash` and the next event's `prev_hash`. Support and auditors, who verify
// chains, get them as stored.
void WithholdFteDigestsFromTrainers(Json& history, const domain::Actor& reader) {
  if (reader.role != domain::Role::kTrainer) return;
  bool after_a_code = false;
  for (Json& event : history["events"]) {
    if (after_a_code) event["prev_hash"] = std::string(kWithheldDigest);
    after_a_code = event.value("event", "") == "FteCodeIssued";
    if (after_a_code) {
      event["code_sha256"] = std::string(kWithheldDigest);
      event["hash"] = std::string(kWithheldDigest);
    }
  }
}

void SendJson(httplib::Response& response, const Json& body) {
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

// Answers a query's Result: the JSON, or its error with the matching status.
void SendResult(httplib::Response& response, const Result<Json>& result) {
  if (result.ok()) return SendJson(response, result.value());
  const std::string& code = result.error().code;
  if (code == kUnknownTrainer) return SendError(response, 404, code, result.error().message);
  if (code == kInvalidInput) return SendError(response, 400, code, result.error().message);
  if (code == consumers::ReadModels::kOtherLayout) {
    // Only while mctd rebuilds them at its start: a writable open never serves them otherwise.
    response.set_header("Retry-After", "1");
    return SendError(response, 503, "not_ready",
                     "the read models are being rebuilt for this build's layout (GET /v1/rebuild "
                     "follows it); the log's questions, the history and as_of= ones, answer "
                     "meanwhile");
  }
  SendError(response, 500, "internal", result.error().message);
}

// ?as_of= as an instant (RFC 3339, or a date meaning its end); answers 400 when malformed.
bool ReadAsOf(const httplib::Request& request, httplib::Response& response,
              std::optional<domain::Instant>* as_of) {
  if (!request.has_param("as_of")) return true;
  *as_of = ParseInstantArgument(request.get_param_value("as_of"));
  if (!*as_of) {
    // A '+' of an offset sent unencoded arrives as a space (form encoding).
    const bool plus_lost = request.get_param_value("as_of").find(' ') != std::string::npos;
    SendError(response, 400, "invalid_input",
              std::string("as_of: not an RFC 3339 instant or a date") +
                  (plus_lost ? " (write the '+' of an offset as %2B)" : ""));
    return false;
  }
  return true;
}

// ?after=POSITION (read_wait in api_reads.h): true once the read models have applied the log up
// to POSITION; answers 400 or 503 itself and gives false.
bool ReadAfter(const ReadContext& ctx, const httplib::Request& request,
               httplib::Response& response) {
  if (!request.has_param("after")) return true;
  // While an upgrade's rebuild runs (HttpApi::RebuildOtherLayout) the live read models do not
  // move: the log's questions answer from the log, the read models' say not_ready at once.
  if (ctx.store.models->NeedsRebuild()) return true;
  const std::string text = request.get_param_value("after");
  uint64_t position = 0;
  const auto [end, failed] = std::from_chars(text.data(), text.data() + text.size(), position);
  if (text.empty() || failed != std::errc() || end != text.data() + text.size()) {
    SendError(response, 400, "invalid_input", "after: not a log position (a whole number)");
    return false;
  }
  const uint64_t head = ctx.store.log->Head();
  if (position > head) {
    SendError(response, 400, "invalid_input",
              "after: position " + text + " is not in the log (its last is " +
                  std::to_string(head) + ")");
    return false;
  }
  auto applied =
      ctx.store.runner->WaitFor(position, std::chrono::steady_clock::now() + ctx.read_wait);
  if (!applied.ok()) {
    SendError(response, 500, "internal", applied.error().message);
    return false;
  }
  if (applied.value() >= position) return true;
  response.set_header("Retry-After", "1");
  SendError(response, 503, "read_models_behind",
            "the read models have applied the log up to position " +
                std::to_string(applied.value()) + ", not yet " + text + "; retry shortly");
  return false;
}

// A required date parameter (?from=, ?to=); answers 400 naming it when absent or malformed.
bool ReadDateParam(const httplib::Request& request, httplib::Response& response,
                   const std::string& name, std::optional<domain::Date>* date) {
  const std::string text = request.get_param_value(name);
  *date = domain::Date::Parse(text);
  if (*date) return true;
  SendError(response, 400, "invalid_input",
            name + (text.empty() ? ": required (a date YYYY-MM-DD)"
                                 : ": '" + text.substr(0, 40) + "' is not a date YYYY-MM-DD"));
  return false;
}

std::optional<domain::Mcid> ReadMcid(const httplib::Request& request, httplib::Response& response) {
  auto mcid = domain::Mcid::Parse(request.matches[1].str());
  if (!mcid) SendError(response, 400, "invalid_input", "mcid: not 4 to 10 digits");
  return mcid;
}

// Wraps a handler with authentication and the route table's access check.
httplib::Server::Handler Guarded(ReadContext& context, RouteAccess access, bool per_trainer,
                                 Handler handler) {
  return [&context, access, per_trainer, handler](const httplib::Request& request,
                                                   httplib::Response& response) {
    auto actor = context.authorize(request, response);
    if (!actor) return;
    if (RefusedForItsQuery(request, response)) return;
    for (const auto& [name, value] : request.params) {
      // The library decodes %XX into any bytes; text is UTF-8 here as everywhere.
      if (!consumers::IsUtf8(name) || !consumers::IsUtf8(value)) {
        return SendError(response, 400, "invalid_input",
                         (consumers::IsUtf8(name) ? name : "a query parameter's name") +
                             ": is not valid UTF-8 text");
      }
      // A parameter given twice (?as_of=a&as_of=b) would be read as whichever came first.
      if (request.params.count(name) > 1) {
        return SendError(response, 400, "invalid_input", name + ": given more than once");
      }
    }
    const std::string mcid = per_trainer ? request.matches[1].str() : "";
    // domain.md's order: a malformed MCID is invalid_input before it is forbidden.
    if (per_trainer && !ReadMcid(request, response)) return;
    if (!MayCall(access, actor->role, actor->id, mcid)) {
      const char* verb = request.method == "GET" ? "read this" : "do this";
      return SendError(
          response, 403, "forbidden",
          "the " + std::string(domain::ToString(actor->role)) + " role may not " + verb);
    }
    handler(request, response, *actor);
  };
}

}  // namespace

void RegisterReadRoutes(httplib::Server& server, ReadContext context) {
  // The context outlives the server's handlers: keep it in a heap cell the lambdas share.
  auto shared = std::make_shared<ReadContext>(std::move(context));
  ReadContext& ctx = *shared;
  auto keep = [shared](Handler handler) {
    return [shared, handler](const httplib::Request& request, httplib::Response& response,
                             const domain::Actor& actor) { handler(request, response, actor); };
  };

  // The reads of one trainer: the MCID from the path and ?as_of= checked, then `query`, its
  // answer shaped for the reader by `shape` when given.
  auto trainer_read = [&ctx, &keep](TrainerQuery query, AnswerShape shape = {}) {
    return keep([&ctx, query = std::move(query), shape = std::move(shape)](
                    const httplib::Request& request, httplib::Response& response,
                    const domain::Actor& actor) {
      std::optional<domain::Instant> as_of;
      auto mcid = ReadMcid(request, response);
      if (!mcid || !ReadAsOf(request, response, &as_of) || !ReadAfter(ctx, request, response)) {
        return;
      }
      Result<Json> answer = query(ctx.store, *mcid, as_of);
      if (answer.ok() && shape) shape(answer.value(), actor);
      SendResult(response, answer);
    });
  };
  server.Get(R"(/v1/trainers/([^/]+))",
             Guarded(ctx, RouteAccess::kStatus, true, trainer_read(WithWallClock(StatusQuery))));
  server.Get(R"(/v1/trainers/([^/]+)/history)",
             Guarded(ctx, RouteAccess::kRecords, true,
                     trainer_read(HistoryQuery, WithholdFteDigestsFromTrainers)));
  server.Get(R"(/v1/trainers/([^/]+)/gaps)",
             Guarded(ctx, RouteAccess::kRecords, true, trainer_read(WithWallClock(GapsQuery))));
  server.Get("/v1/due", Guarded(ctx, RouteAccess::kFleet, false,
                                keep([&ctx](const httplib::Request& request,
                                            httplib::Response& response, const domain::Actor&) {
                                  std::optional<domain::Date> from, to;
                                  if (!ReadDateParam(request, response, "from", &from) ||
                                      !ReadDateParam(request, response, "to", &to)) {
                                    return;
                                  }
                                  if (std::optional<Error> bad = CheckDueRange(*from, *to)) {
                                    return SendResult(response, Result<Json>(*std::move(bad)));
                                  }
                                  if (!ReadAfter(ctx, request, response)) return;
                                  SendResult(response, DueQuery(ctx.store, *from, *to, Now()));
                                })));
  server.Get("/v1/reports", Guarded(ctx, RouteAccess::kFleet, false,
                                    keep([&ctx](const httplib::Request& request,
                                                httplib::Response& response, const domain::Actor&) {
                                      std::optional<std::string> month;
                                      if (request.has_param("month"))
                                        month = request.get_param_value("month");
                                      if (std::optional<Error> bad = CheckReportMonth(month)) {
                                        return SendResult(response, Result<Json>(*std::move(bad)));
                                      }
                                      if (!ReadAfter(ctx, request, response)) return;
                                      SendResult(response, ReportQuery(ctx.store, month, Now()));
                                    })));
  server.Get("/v1/lookup", Guarded(ctx, RouteAccess::kFleet, false,
                                   keep([&ctx](const httplib::Request& request,
                                               httplib::Response& response, const domain::Actor&) {
                                     if (request.get_param_value("email").empty()) {
                                       return SendError(response, 400, "invalid_input",
                                                        "email: required");
                                     }
                                     if (!ReadAfter(ctx, request, response)) return;
                                     SendResult(response,
                                                LookupQuery(ctx.store, request.get_param_value("email")));
                                   })));
  // Invariant 6: a broken link is a finding about the data, answered 200 with "ok": false.
  // ?checkpoint=POSITION:DIGEST also proves the log's first POSITION events unchanged since.
  server.Post("/v1/verify", Guarded(ctx, RouteAccess::kAudit, false,
                                    keep([&ctx](const httplib::Request& request,
                                                httplib::Response& response, const domain::Actor&) {
                                      std::optional<consumers::Checkpoint> recorded;
                                      if (request.has_param("checkpoint")) {
                                        recorded = consumers::ParseCheckpoint(
                                            request.get_param_value("checkpoint"));
                                        if (!recorded) {
                                          return SendError(
                                              response, 400, "invalid_input",
                                              "checkpoint: not POSITION:DIGEST (a position from "
                                              "1, then 64 hex digits)");
                                        }
                                      }
                                      auto report = consumers::VerifyLog(*ctx.store.db, recorded);
                                      if (!report.ok()) {
                                        return SendError(response, 500, "internal",
                                                         "verify failed: " + report.error().message);
                                      }
                                      SendJson(response, VerifyReportJson(report.value()));
                                    })));
  server.Get("/v1/export", Guarded(ctx, RouteAccess::kAudit, false,
                                   keep([&ctx](const httplib::Request&, httplib::Response& response,
                                               const domain::Actor&) {
                                     response.set_chunked_content_provider(
                                         "application/x-ndjson",
                                         [&ctx](size_t, httplib::DataSink& sink) {
                                           return StreamExport(ctx, sink);
                                         });
                                   })));
  server.Post("/v1/rebuild", Guarded(ctx, RouteAccess::kAudit, false,
                                     keep([&ctx](const httplib::Request&, httplib::Response& response,
                                                 const domain::Actor& actor) {
                                       if (!ctx.rebuild.Start(actor)) {
                                         return SendError(response, 409, "rebuild_running",
                                                          "a rebuild is running already; follow it "
                                                          "with GET /v1/rebuild");
                                       }
                                       SendJson(response, ctx.rebuild.Status());
                                     })));
  server.Get("/v1/rebuild", Guarded(ctx, RouteAccess::kAudit, false,
                                    keep([&ctx](const httplib::Request&, httplib::Response& response,
                                                const domain::Actor&) {
                                      SendJson(response, ctx.rebuild.Status());
                                    })));
}

}  // namespace mct::admin::server

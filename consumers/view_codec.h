// The stored form of a read model's per-trainer view (projections/trainer_view.h), in the log's
// binary primitives. Deterministic: the same view always gives the same bytes, so a rebuilt read
// model is byte-identical to the live one and `mctctl checksum` can compare them.
//
// Free functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "projections/gaps.h"
#include "projections/trainer_view.h"

namespace mct::consumers {

std::string EncodeView(const projections::TrainerView& view);
Result<projections::TrainerView> DecodeView(std::string_view bytes);

// The gaps read model of one trainer: the closed gaps and the anniversary from which an open gap
// runs once it has come.
struct StoredGaps {
  std::vector<projections::Gap> closed;
  domain::Date anniversary;
  bool operator==(const StoredGaps&) const = default;
};
std::string EncodeGaps(const StoredGaps& gaps);
Result<StoredGaps> DecodeGaps(std::string_view bytes);

}  // namespace mct::consumers

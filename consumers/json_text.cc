#include "consumers/json_text.h"

#include <cmath>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace mct::consumers {
namespace {

using Event = nlohmann::json::parse_event_t;

// Watches a parse for an object that names a key twice, and names the first such key by its path.
// The path is only spelled out for the duplicate: a text nested thousands deep must not cost a
// path per level.
class DuplicateKeyWatch {
 public:
  bool operator()(int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        open_.push_back({event == Event::object_start, {}, {}});
        break;
      case Event::object_end:
      case Event::array_end:
        if (!open_.empty()) open_.pop_back();
        break;
      case Event::key: {
        Container& object = open_.back();
        object.last_key = parsed.get<std::string>();
        if (!object.keys.insert(object.last_key).second && !duplicate_) duplicate_ = Path();
        break;
      }
      case Event::value:
        break;
    }
    return true;  // keep everything: the duplicate is reported after the parse
  }

  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  struct Container {
    bool is_object;
    std::unordered_set<std::string> keys;  // an object's keys so far
    std::string last_key;
  };

  // "card.number", "events[].x": the innermost object's last key, by the way to it.
  std::string Path() const {
    std::string path;
    for (const Container& container : open_) {
      if (!container.is_object) {
        path += "[]";
        continue;
      }
      if (!path.empty()) path += '.';
      path += container.last_key;
    }
    return path;
  }

  std::vector<Container> open_;
  std::optional<std::string> duplicate_;
};

// nlohmann's message starts with its own exception's name and counts lines and columns of the
// document; keep from the column on, or else what follows the name ("number overflow parsing
// '1e400'").
// Its "last read: '...'" quotes the token the parser stopped in, which may be any part of the
// body (a card number in a string never closed): the column says where without echoing it. The
// quote is cut to the message's end, since the token may itself hold "'; "; what nlohmann adds
// after it ("; expected ..." a token's name) is put back only when it is one of those names.
std::string SyntaxProblem(const nlohmann::json::exception& error) {
  std::string what = error.what();
  if (const size_t quoted = what.find("; last read: '"); quoted != std::string::npos) {
    static constexpr std::string_view kExpected[] = {"; expected end of input",
                                                     "; expected '['",
                                                     "; expected '{'",
                                                     "; expected ']'",
                                                     "; expected '}'",
                                                     "; expected ':'",
                                                     "; expected ','",
                                                     "; expected value",
                                                     "; expected string literal",
                                                     "; expected number literal",
                                                     "; expected '[', '{', or a literal"};
    std::string expected;
    for (const std::string_view ending : kExpected) {
      if (what.ends_with(ending)) expected = ending;
    }
    what.erase(quoted);
    what += expected;
  }
  if (const size_t column = what.find("column "); column != std::string::npos) {
    return "at " + what.substr(column);
  }
  const size_t name_end = what.find("] ");
  return name_end == std::string::npos ? what : what.substr(name_end + 2);
}

}  // namespace

Result<nlohmann::json> ParseJsonText(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return Error{"it holds a NUL byte"};
  DuplicateKeyWatch watch;
  nlohmann::json json;
  try {  // nlohmann reports the place of a syntax error only through its exception
    json = nlohmann::json::parse(text.begin(), text.end(), std::ref(watch));
  } catch (const nlohmann::json::exception& error) {  // a syntax error, or a number too large
    return Error{SyntaxProblem(error)};
  }
  if (watch.duplicate()) return Error{*watch.duplicate() + ": given twice"};
  return json;
}

std::optional<int64_t> WholeNumberOf(const nlohmann::json& value) {
  if (!value.is_number_float()) return std::nullopt;
  const double number = value.get<double>();
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (std::trunc(number) != number || number < -kExact || number > kExact) return std::nullopt;
  return static_cast<int64_t>(number);
}

}  // namespace mct::consumers

// Overloaded: a visitor made of lambdas, one per alternative of a std::variant.
//   std::visit(Overloaded{[](const A&) {...}, [](const B&) {...}}, value);
// The deduction guide is spelled out because not every compiler the project is built with
// (clang 14, for the fuzzer) deduces aggregate bases by itself.
#pragma once

namespace mct {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

}  // namespace mct

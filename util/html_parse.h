// Bounded parsing of HTML that the agent controls (pages it wrote, pages
// its deploy serves), shared by the `html` / `http` checks and web_fetch.
//
// gumbo 0.10 has no depth limit and, with its default options, copies the
// stack of open elements into every parse error: memory grows with the
// square of the unclosed elements (NOTES.md). Three defences, in order:
//   1. ScanHtml, a cheap linear pre-scan BEFORE gumbo runs, bounds the bytes,
//      the tags, the attributes and an estimate of the nesting depth (the stack
//      of open elements as the tokens imply it, with the common implied end
//      tags of <p>, <li>, <dt>/<dd>, <td>/<th>, <tr>, <option>);
//   2. ParseHtml parses only the part that passed, with max_errors = 0 (no
//      error records, so memory is linear: 20,000 unclosed <span> take
//      7 MiB instead of 3 GiB);
//   3. WalkHtml visits a tree without recursion, so no depth can overflow a
//      stack in our code.
// All functions are thread-safe (no shared state).
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace endstate::util {

struct HtmlLimits {
  size_t max_bytes = 4 * 1024 * 1024;  // bytes of HTML parsed
  size_t max_tags = 20'000;            // start tags (elements) parsed
  size_t max_depth = 512;              // estimated nesting of open elements
  size_t max_attributes = 50'000;      // attributes of all tags together
                                       // (~200 bytes of gumbo memory each)
};

// What ScanHtml found. `usable_bytes` is the length of the longest prefix
// of the input within every limit (the whole input when `over` is empty);
// the cut is made before the tag that broke a limit. `over` names the
// limit that made the cut (an input over max_bytes whose first max_bytes
// break the tag or depth limit is reported with that one).
struct HtmlScan {
  size_t usable_bytes = 0;
  std::string over;  // empty, or why the input is over the limits:
                     // "is 5242880 bytes, over the 4194304-byte limit"
                     // "has more than 20000 tags (the limit)"
                     // "nests elements more than 512 deep (the limit)"
};
HtmlScan ScanHtml(std::string_view html, const HtmlLimits& limits = {});

struct GumboOutputDeleter {
  void operator()(GumboOutput* p) const;
};
using HtmlDocument = std::unique_ptr<GumboOutput, GumboOutputDeleter>;

// Parses `html` with gumbo without recording parse errors (max_errors = 0).
// The caller bounds the input first (ScanHtml); never returns nullptr.
HtmlDocument ParseHtml(std::string_view html);

// What WalkHtml does after `enter` saw a node.
enum class WalkStep { kDescend, kSkipChildren, kStop };

// Visits `root` and every node below it in document order, iteratively.
// `enter` decides per node; `leave` (may be empty) runs after the children
// of every node `enter` answered kDescend for (also when it has none).
// kStop ends the walk at once (no further leave calls).
void WalkHtml(const GumboNode* root,
              const std::function<WalkStep(const GumboNode*)>& enter,
              const std::function<void(const GumboNode*)>& leave);

}  // namespace endstate::util

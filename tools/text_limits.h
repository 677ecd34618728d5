// Text helpers shared by the tools: cutting a result to the size the model
// may see, and making arbitrary bytes safe to send as a JSON string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace endstate::tools {

// Returns `text` unchanged when `total_bytes` (the size of the whole thing
// `text` is a prefix of; at least text.size()) fits in `max_bytes`.
// Otherwise keeps a prefix of `text`, cut on a UTF-8 boundary, followed by
// "\n[... truncated N bytes]" where N = total_bytes - kept, so that the
// result including the marker is at most `max_bytes`. max_bytes == 0 means
// no limit.
std::string CapWithMarker(std::string_view text, size_t max_bytes,
                          uint64_t total_bytes);
inline std::string CapWithMarker(std::string_view text, size_t max_bytes) {
  return CapWithMarker(text, max_bytes, text.size());
}

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that it can
// be serialized as a JSON string.
std::string SanitizeUtf8(std::string_view text);

// True when `sample` (the start of a file) looks binary: it holds a NUL
// byte or is not valid UTF-8 (a sequence cut by the end of the sample is
// allowed when `is_prefix`).
bool LooksBinary(std::string_view sample, bool is_prefix);

}  // namespace endstate::tools

// Fuzz target for models::SseParser (models/sse_parser.h).
//
// Input: byte 0 seeds the chunking, the rest is the event stream. The
// stream is parsed four ways: whole, one byte at a time, in chunks of
// pseudo-random sizes, and by a line-splitting reference written here from
// the header's contract. All four must yield the same events and the same
// comment count: the header promises that splitting never changes the
// result, and the reference pins what the result is.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "models/sse_parser.h"

namespace {

using endstate::models::SseEvent;
using endstate::models::SseParser;

struct Parsed {
  std::vector<SseEvent> events;
  int comments = 0;
};

bool Same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].event != b[i].event || a[i].data != b[i].data ||
        a[i].id != b[i].id) {
      return false;
    }
  }
  return true;
}

// Feeds `stream` in pieces whose sizes come from `sizes` (cycled; 0 means
// the whole rest), then finishes.
Parsed ParseInPieces(std::string_view stream,
                     const std::vector<size_t>& sizes) {
  SseParser parser;
  Parsed p;
  size_t pos = 0, k = 0;
  while (pos < stream.size()) {
    size_t n = sizes[k++ % sizes.size()];
    if (n == 0 || n > stream.size() - pos) n = stream.size() - pos;
    parser.Feed(stream.substr(pos, n), &p.events);
    pos += n;
  }
  parser.Finish(&p.events);
  p.comments = parser.comments();
  return p;
}

// The contract of sse_parser.h applied to the whole stream at once.
Parsed Reference(std::string_view stream) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    if (stream[i] != '\r' && stream[i] != '\n') continue;
    lines.push_back(stream.substr(start, i - start));
    if (stream[i] == '\r' && i + 1 < stream.size() && stream[i + 1] == '\n') {
      ++i;
    }
    start = i + 1;
  }
  if (start < stream.size()) lines.push_back(stream.substr(start));

  Parsed p;
  std::string data, event, id;
  bool have_data = false;
  auto dispatch = [&] {
    if (have_data) p.events.push_back(SseEvent{event, data, id});
    data.clear();
    event.clear();
    have_data = false;
  };
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    if (n == 0 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.empty()) {
      dispatch();
      continue;
    }
    if (line.front() == ':') {
      ++p.comments;
      continue;
    }
    std::string_view field = line, value;
    if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      field = line.substr(0, colon);
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (have_data) data.push_back('\n');
      data.append(value);
      have_data = true;
    } else if (field == "event") {
      event = value;
    } else if (field == "id") {
      id = value;
    }
  }
  dispatch();
  return p;
}

void Require(bool ok, const char* what) {
  if (ok) return;
  __builtin_printf("sse_parser_fuzz: invariant failed: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1,
                                size - 1);
  // Chunk sizes from a small LCG seeded by byte 0: 1..16 bytes each, so
  // splits land inside lines, between CR and LF and inside UTF-8 sequences.
  std::vector<size_t> sizes;
  uint32_t x = data[0];
  for (int i = 0; i < 32; ++i) {
    x = x * 1103515245u + 12345u;
    sizes.push_back(1 + (x >> 16) % 16);
  }

  const Parsed whole = ParseInPieces(stream, {0});
  const Parsed bytes = ParseInPieces(stream, {1});
  const Parsed chunks = ParseInPieces(stream, sizes);
  const Parsed ref = Reference(stream);

  Require(Same(whole.events, ref.events),
          "whole stream differs from reference");
  Require(whole.comments == ref.comments, "comment count differs");
  Require(Same(bytes.events, whole.events), "byte-by-byte feed differs");
  Require(bytes.comments == whole.comments, "byte-by-byte comments differ");
  Require(Same(chunks.events, whole.events), "chunked feed differs");
  Require(chunks.comments == whole.comments, "chunked comments differ");
  for (const SseEvent& e : whole.events) {
    // Line terminators never leak into fields; only data joins lines.
    Require(e.event.find_first_of("\r\n") == std::string::npos,
            "terminator in event name");
    Require(e.id.find_first_of("\r\n") == std::string::npos,
            "terminator in id");
    Require(e.data.find('\r') == std::string::npos, "CR in data");
  }
  return 0;
}

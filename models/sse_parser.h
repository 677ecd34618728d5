// Incremental parser for Server-Sent Events (text/event-stream), as sent by
// OpenAI-compatible servers when streaming. Bytes may be fed in pieces split
// at any position (inside a line, between CR and LF, inside a UTF-8
// sequence); events come out exactly as if the stream had been fed whole.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace endstate::models {

struct SseEvent {
  std::string event;  // "event:" field, "" when absent
  std::string data;   // "data:" lines joined with "\n"
  std::string id;     // "id:" field, "" when absent
};

// Follows the WHATWG event-stream rules: lines end in LF, CRLF or CR; a
// blank line dispatches the event; lines starting with ':' are comments
// (llama-server pings); one space after "field:" is dropped; unknown fields
// are ignored; an event without data is not dispatched. Not thread-safe.
class SseParser {
 public:
  // Parses `bytes` and appends every completed event to *out.
  void Feed(std::string_view bytes, std::vector<SseEvent>* out);

  // End of stream: a last line without terminator and a last event without
  // the closing blank line are dispatched too (servers that close early).
  void Finish(std::vector<SseEvent>* out);

  int comments() const { return comments_; }  // comment lines seen

 private:
  void ProcessLine(std::string_view line, std::vector<SseEvent>* out);
  void Dispatch(std::vector<SseEvent>* out);

  std::string line_;        // current line, not yet terminated
  bool skip_lf_ = false;    // last byte was CR: a following LF belongs to it
  bool started_ = false;    // first line seen (a leading BOM is dropped)
  bool have_data_ = false;  // at least one data line in this event
  std::string data_, event_, id_;
  int comments_ = 0;
};

}  // namespace endstate::models

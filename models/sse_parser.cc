#include "models/sse_parser.h"

namespace endstate::models {

void SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* out) {
  for (char c : bytes) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      skip_lf_ = (c == '\r');
      ProcessLine(line_, out);
      line_.clear();
      continue;
    }
    line_.push_back(c);
  }
}

void SseParser::Finish(std::vector<SseEvent>* out) {
  if (!line_.empty()) {
    ProcessLine(line_, out);
    line_.clear();
  }
  Dispatch(out);
}

void SseParser::ProcessLine(std::string_view line, std::vector<SseEvent>* out) {
  if (!started_) {
    // A UTF-8 BOM may precede the first line only.
    started_ = true;
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  }
  if (line.empty()) {
    Dispatch(out);
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  std::string_view field = line, value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (have_data_) data_.push_back('\n');
    data_.append(value);
    have_data_ = true;
  } else if (field == "event") {
    event_ = value;
  } else if (field == "id") {
    id_ = value;
  }
  // "retry" and unknown fields are ignored.
}

void SseParser::Dispatch(std::vector<SseEvent>* out) {
  if (have_data_) {
    out->push_back(SseEvent{event_, data_, id_});
  }
  // The last event id persists across events per the spec; the rest resets.
  data_.clear();
  event_.clear();
  have_data_ = false;
}

}  // namespace endstate::models

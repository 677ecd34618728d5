// Message builders for the models tests.
#pragma once

#include <string>

#include "models/message.h"

namespace endstate::models {

inline Message Msg(const std::string& role, const std::string& content,
                   const std::string& tool_call_id = "") {
  Message m;
  m.role = role;
  m.content = content;
  m.tool_call_id = tool_call_id;
  return m;
}

}  // namespace endstate::models

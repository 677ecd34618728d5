// The tool-call probe end to end: the real OpenAI-compatible client against
// the scripted server, in both streaming modes; plus the bundled cases and
// the argument comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "probes/probe.h"
#include "probes/probe_toolcall_cases.h"
#include "tests/support/scripted_server.h"

namespace endstate::probes {
namespace {

using nlohmann::json;
using test::ChatCompletion;
using test::ScriptedCall;
using test::ScriptedResponse;

const ToolCallCase& Case(size_t i) {
  return ToolCallCases()[i % ToolCallCases().size()];
}

ScriptedCall Right(const ToolCallCase& c, const std::string& id = "call_1") {
  return {id, c.expected_tool, c.expected_args.dump()};
}

class ProbeToolCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_.name = "scripted";
    model_.provider = "openai";
    model_.base_url = server_.base_url();
    model_.model = "test-model";
    model_.retry.max_tries = 1;
    model_.retry.initial_backoff = std::chrono::milliseconds(1);
  }
  // Pushes `completion` once as a stream and once whole: the order in which
  // the probe sends a case (streaming first).
  void PushBothModes(const json& completion) {
    server_.Push(ScriptedResponse::Stream(completion));
    server_.Push(ScriptedResponse::Json(completion));
  }
  ProbeResult Run(int n) {
    ToolCallProbeOptions options;
    options.n = n;
    options.progress = [this](const std::string& line) {
      progress_.push_back(line);
    };
    return RunToolCallProbe(model_, options);
  }

  test::ScriptedServer server_;
  models::ModelConfig model_;
  std::vector<std::string> progress_;
};

TEST_F(ProbeToolCallsTest, AllValidInBothModes) {
  const int n = static_cast<int>(ToolCallCases().size()) + 2;  // wraps around
  for (int i = 0; i < n; ++i) {
    PushBothModes(ChatCompletion("", {Right(Case(i))}));
  }
  ProbeResult r = Run(n);
  EXPECT_EQ("", r.error);
  EXPECT_EQ("toolcalls", r.kind);
  EXPECT_EQ(n, r.settings["n"]);
  const json& s = r.measurements["summary"];
  EXPECT_EQ(2 * n, s["valid"]);
  EXPECT_EQ(2 * n, s["total"]);
  EXPECT_EQ(json({{"valid", n}, {"total", n}}), s["by_mode"]["stream"]);
  EXPECT_EQ(json({{"valid", n}, {"total", n}}), s["by_mode"]["no_stream"]);
  EXPECT_EQ(json::object(), s["errors"]);
  EXPECT_EQ(0u, server_.pending());

  const auto requests = server_.requests();
  ASSERT_EQ(static_cast<size_t>(2 * n), requests.size());
  ASSERT_EQ(static_cast<size_t>(2 * n), r.measurements["calls"].size());
  for (size_t k = 0; k < requests.size(); ++k) {
    SCOPED_TRACE("request " + std::to_string(k));
    const ToolCallCase& c = Case(k / 2);
    const json body = requests[k].json();
    EXPECT_EQ(k % 2 == 0, body["stream"].get<bool>());
    ASSERT_EQ(2u, body["messages"].size());
    EXPECT_EQ(kToolCallSystemPrompt, body["messages"][0]["content"]);
    const std::string prompt = body["messages"][1]["content"];
    EXPECT_NE(std::string::npos, prompt.find("`" + c.expected_tool + "`"));
    EXPECT_NE(std::string::npos, prompt.find(c.expected_args.dump()));
    std::vector<std::string> offered;
    for (const json& t : body["tools"]) {
      offered.push_back(t["function"]["name"]);
    }
    EXPECT_EQ(c.tools.size(), offered.size());
    EXPECT_EQ(1, std::count(offered.begin(), offered.end(), c.expected_tool));

    const json& call = r.measurements["calls"][k];
    EXPECT_EQ(k % 2 == 0 ? "stream" : "no_stream", call["mode"]);
    EXPECT_EQ(c.id, call["case"]);
    EXPECT_TRUE(call["valid"].get<bool>());
    EXPECT_EQ("", call["error_kind"]);
    EXPECT_EQ(c.expected_tool, call["name"]);
    EXPECT_EQ(c.expected_args,
              json::parse(call["arguments"].get<std::string>()));
  }
  ASSERT_EQ(static_cast<size_t>(2 * n), progress_.size());
  EXPECT_EQ("toolcalls 1/" + std::to_string(2 * n) + " stream " + Case(0).id +
                ": valid",
            progress_[0]);
}

// The same values written differently by the model are still valid.
TEST_F(ProbeToolCallsTest, SemanticallyEqualArgumentsAreValid) {
  // integers_numbers: integers as floats, keys reordered, spaces.
  size_t index = 0;
  while (Case(index).id != "integers_numbers") ++index;
  ASSERT_LT(index, ToolCallCases().size());
  const std::string args =
      R"({ "offset": 0.0, "samples": 12.0, "value": -3.1250, "sensor_id": 4711 })";
  for (size_t i = 0; i < index; ++i) {
    PushBothModes(ChatCompletion("", {Right(Case(i))}));
  }
  PushBothModes(
      ChatCompletion("", {{"call_1", Case(index).expected_tool, args}}));
  ProbeResult r = Run(static_cast<int>(index) + 1);
  EXPECT_EQ(2 * (static_cast<int>(index) + 1),
            r.measurements["summary"]["valid"]);
}

struct BadReply {
  std::string name;
  std::function<ScriptedResponse(bool stream)> response;
  std::string kind;
  std::string detail;
};

// Names the case in test listings (ctest) instead of a byte dump.
void PrintTo(const BadReply& b, std::ostream* os) { *os << b.name; }

ScriptedResponse Reply(bool stream, const json& completion) {
  return stream ? ScriptedResponse::Stream(completion)
                : ScriptedResponse::Json(completion);
}

// Every bad reply is about case 0, nested_objects (create_shipment).
std::vector<BadReply> BadReplies() {
  const ToolCallCase& c = Case(0);
  json wrong = c.expected_args;
  wrong["weight_kg"] = 2.5;
  json missing = c.expected_args;
  missing.erase("weight_kg");
  json extra_key = c.expected_args;
  extra_key["recipient"]["address"]["floor"] = 2;
  json as_string = c.expected_args;
  as_string["weight_kg"] = "2.75";
  const std::string leaked =
      "<tool_call>\n{\"name\": \"create_shipment\", "
      "\"arguments\": " +
      c.expected_args.dump() + "}\n</tool_call>";
  auto calls = [](std::vector<ScriptedCall> v) {
    return [v](bool stream) { return Reply(stream, ChatCompletion("", v)); };
  };
  return {
      {"InvalidJson",
       calls({{"call_1", "create_shipment",
               R"({"recipient": {"name": "Dana Whitfield")"}}),
       "invalid_json",
       R"(arguments are not valid JSON: {"recipient": {"name": "Dana Whitfield")"},
      {"ArgumentsNotAnObject",
       calls({{"call_1", "create_shipment", R"("{\"weight_kg\": 2.75}")"}}),
       "invalid_json",
       R"(arguments are a JSON string, not an object: "{\"weight_kg\": 2.75}")"},
      {"UnknownTool", calls({{"call_1", "ship_parcel", "{}"}}), "unknown_tool",
       "called 'ship_parcel', which was not offered"},
      {"WrongTool",
       calls({{"call_1", "track_shipment", R"({"tracking_id":"PO1 3AX"})"}}),
       "wrong_tool", "called 'track_shipment' instead of 'create_shipment'"},
      {"MissingRequired",
       calls({{"call_1", "create_shipment", missing.dump()}}),
       "schema_violation", "missing required field 'weight_kg'"},
      {"UnexpectedField",
       calls({{"call_1", "create_shipment", extra_key.dump()}}),
       "schema_violation", "unexpected field 'recipient.address.floor'"},
      {"WrongType", calls({{"call_1", "create_shipment", as_string.dump()}}),
       "schema_violation", "field 'weight_kg': expected number, got string"},
      {"WrongValues", calls({{"call_1", "create_shipment", wrong.dump()}}),
       "wrong_values", "field 'weight_kg': expected 2.75, got 2.5"},
      {"LeakedMarkup",
       [leaked](bool stream) { return Reply(stream, ChatCompletion(leaked)); },
       "leaked_markup",
       "tool_call_tag in content: " + leaked.substr(0, 120) + "..."},
      {"LeakedBesideValidCall",
       [c](bool stream) {
         return Reply(stream,
                      ChatCompletion("<function=create_shipment>", {Right(c)}));
       },
       "leaked_markup",
       "function_tag in content beside a valid call: "
       "<function=create_shipment>"},
      {"NoCall",
       [](bool stream) {
         return Reply(stream, ChatCompletion("I created the shipment."));
       },
       "no_call", "no tool call; content: I created the shipment."},
      {"EmptyReply",
       [](bool stream) { return Reply(stream, ChatCompletion("\n\n")); },
       "no_call", "no tool call, no content"},
      {"ExtraCalls", calls({Right(c, "call_1"), Right(c, "call_2")}),
       "extra_calls", "2 calls instead of one; the first was right"},
      {"ModelError",
       [](bool) {
         return ScriptedResponse::Status(
             503, R"({"error":{"message":"upstream busy"}})");
       },
       "model_error", ""},
  };
}

class ProbeToolCallsFailureTest
    : public ProbeToolCallsTest,
      public ::testing::WithParamInterface<BadReply> {};

TEST_P(ProbeToolCallsFailureTest, ClassifiedInBothModes) {
  const BadReply& bad = GetParam();
  server_.Push(bad.response(true));
  server_.Push(bad.response(false));
  ProbeResult r = Run(1);
  EXPECT_EQ("", r.error);
  const json& s = r.measurements["summary"];
  EXPECT_EQ(0, s["valid"]);
  EXPECT_EQ(2, s["total"]);
  EXPECT_EQ(json({{bad.kind, 2}}), s["errors"]);
  EXPECT_EQ(json({{"valid", 0}, {"total", 1}}), s["by_mode"]["stream"]);
  EXPECT_EQ(json({{"valid", 0}, {"total", 1}}), s["by_mode"]["no_stream"]);
  ASSERT_EQ(2u, r.measurements["calls"].size());
  for (const json& call : r.measurements["calls"]) {
    SCOPED_TRACE(call["mode"].get<std::string>());
    EXPECT_FALSE(call["valid"].get<bool>());
    EXPECT_EQ(bad.kind, call["error_kind"]);
    if (bad.kind == "model_error") {
      EXPECT_NE(std::string::npos,
                call["detail"].get<std::string>().find("503"))
          << call["detail"];
      EXPECT_NE(std::string::npos,
                call["detail"].get<std::string>().find("upstream busy"))
          << call["detail"];
    } else {
      EXPECT_EQ(bad.detail, call["detail"]);
    }
  }
  EXPECT_EQ(2u, server_.requests().size());
}

INSTANTIATE_TEST_SUITE_P(ProbeToolCalls, ProbeToolCallsFailureTest,
                         ::testing::ValuesIn(BadReplies()),
                         [](const ::testing::TestParamInfo<BadReply>& info) {
                           return info.param.name;
                         });

// A bug that shows in one mode only is counted against that mode only.
TEST_F(ProbeToolCallsTest, ModesCountedSeparately) {
  const ToolCallCase& c = Case(0);
  server_.Push(ScriptedResponse::Stream(ChatCompletion(
      "", {{"call_1", c.expected_tool, c.expected_args.dump() + "}"}})));
  server_.Push(ScriptedResponse::Json(ChatCompletion("", {Right(c)})));
  ProbeResult r = Run(1);
  const json& s = r.measurements["summary"];
  EXPECT_EQ(json({{"valid", 0}, {"total", 1}}), s["by_mode"]["stream"]);
  EXPECT_EQ(json({{"valid", 1}, {"total", 1}}), s["by_mode"]["no_stream"]);
  EXPECT_EQ(json({{"invalid_json", 1}}), s["errors"]);
}

TEST_F(ProbeToolCallsTest, StopsWhenEndpointUnreachable) {
  server_.Push(ScriptedResponse::Drop());
  server_.Push(ScriptedResponse::Drop());
  ProbeResult r = Run(3);
  EXPECT_NE(std::string::npos, r.error.find("endpoint unreachable: "))
      << r.error;
  EXPECT_NE(std::string::npos, r.error.find("; stopped after 2 requests"))
      << r.error;
  EXPECT_EQ(2u, server_.requests().size());
  EXPECT_EQ(2, r.measurements["summary"]["total"]);
  EXPECT_EQ(json({{"model_error", 2}}), r.measurements["summary"]["errors"]);
}

TEST_F(ProbeToolCallsTest, BuiltinModelHasNoEndpoint) {
  model_.provider = "builtin";
  model_.model = "oracle";
  ProbeResult r = Run(2);
  EXPECT_EQ("model 'scripted': builtin models have no endpoint to probe",
            r.error);
  EXPECT_EQ(json::object(), r.measurements);
  EXPECT_EQ(0u, server_.requests().size());
}

TEST(ProbeToolCallsCases, ValidAndVaried) {
  const auto& cases = ToolCallCases();
  ASSERT_GE(cases.size(), 8u);
  std::set<std::string> ids;
  for (const ToolCallCase& c : cases) {
    SCOPED_TRACE(c.id);
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id";
    EXPECT_FALSE(c.covers.empty());
    ASSERT_GE(c.tools.size(), 2u);
    ASSERT_LE(c.tools.size(), 4u);
    std::set<std::string> names;
    const models::ToolSchema* right = nullptr;
    for (const models::ToolSchema& t : c.tools) {
      EXPECT_TRUE(names.insert(t.name).second) << "duplicate tool " << t.name;
      EXPECT_EQ("object", t.parameters["type"]) << t.name;
      if (t.name == c.expected_tool) right = &t;
    }
    ASSERT_NE(nullptr, right);
    ASSERT_TRUE(c.expected_args.is_object());
    EXPECT_EQ("", models::ValidateArgs(right->parameters, c.expected_args));
    EXPECT_EQ("",
              JudgeToolCallReply(c, {.role = "assistant",
                                     .tool_calls = {{"c1", c.expected_tool,
                                                     c.expected_args.dump()}}})
                  .error_kind);
  }
}

TEST(ProbeToolCallsCompare, SemanticEquality) {
  auto j = [](const char* s) { return json::parse(s); };
  EXPECT_EQ("", CompareArguments(j(R"({"a":1,"b":{"c":[1,2]}})"),
                                 j(R"({"b":{"c":[1.0,2]},"a":1.0})")));
  EXPECT_EQ("field 'a': expected 1, got 1.5",
            CompareArguments(j(R"({"a":1})"), j(R"({"a":1.5})")));
  EXPECT_EQ(R"(field 'a': expected 3, got "3")",
            CompareArguments(j(R"({"a":3})"), j(R"({"a":"3"})")));
  EXPECT_EQ(R"(field 's': expected "Paris", got " Paris")",
            CompareArguments(j(R"({"s":"Paris"})"), j(R"({"s":" Paris"})")));
  EXPECT_EQ(R"(field 's': expected "Paris", got "paris")",
            CompareArguments(j(R"({"s":"Paris"})"), j(R"({"s":"paris"})")));
  EXPECT_EQ("", CompareArguments(j(R"({"s":"Zürich"})"),
                                 j(R"({"s":"Z\u00fcrich"})")));
  EXPECT_EQ("field 'l[0]': expected 1, got 2",
            CompareArguments(j(R"({"l":[1,2]})"), j(R"({"l":[2,1]})")));
  EXPECT_EQ("field 'l': expected 2 elements, got 3",
            CompareArguments(j(R"({"l":[1,2]})"), j(R"({"l":[1,2,3]})")));
  EXPECT_EQ("missing field 'o.x'",
            CompareArguments(j(R"({"o":{"x":1}})"), j(R"({"o":{}})")));
  EXPECT_EQ(
      "unexpected field 'o.y'",
      CompareArguments(j(R"({"o":{"x":1}})"), j(R"({"o":{"x":1,"y":null}})")));
  EXPECT_EQ("field 'b': expected false, got 0",
            CompareArguments(j(R"({"b":false})"), j(R"({"b":0})")));
  EXPECT_EQ("field 'n': expected null, got 0",
            CompareArguments(j(R"({"n":null})"), j(R"({"n":0})")));
  EXPECT_EQ("field 'big': expected 9007199254740993, got 9007199254740992",
            CompareArguments(j(R"({"big":9007199254740993})"),
                             j(R"({"big":9007199254740992})")));
}

}  // namespace
}  // namespace endstate::probes

#include <gtest/gtest.h>

#include "tests/tools/fake_world.h"
#include "tools/builtin_tools.h"
#include "tools/tool.h"

namespace endstate::tools {
namespace {

// The registry's own behaviour, on a registry of the file tools (the
// default one is checked for its names only, so this test does not need
// the SSH or HTTP parts).
class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Add(MakeReadFileTool());
    registry_.Add(MakeWriteFileTool());
    registry_.Add(MakeListFilesTool());
    ctx_.world = &world_;
    util::WriteFile(world_.workspace() / "a.txt", "hello");
  }
  ToolResult Call(const std::string& name, const std::string& raw) {
    return registry_.Call(name, raw, allowed_, ctx_, &kind_);
  }

  testing::FakeWorld world_;
  Registry registry_;
  ToolContext ctx_;
  std::vector<std::string> allowed_ = {"read_file", "list_files", "ghost"};
  CallErrorKind kind_ = CallErrorKind::kLeakedMarkup;
};

TEST_F(RegistryTest, RunsAValidCall) {
  ToolResult r = Call("read_file", R"({"path": "a.txt"})");
  EXPECT_EQ(CallErrorKind::kNone, kind_);
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ("hello", r.content);
  EXPECT_GT(r.duration.count(), 0);
}

TEST_F(RegistryTest, EmptyArgumentsMeanAnEmptyObject) {
  ToolResult r = Call("list_files", "");
  EXPECT_EQ(CallErrorKind::kNone, kind_);
  EXPECT_EQ("a.txt  5\n", r.content);
  r = Call("list_files", " \n");
  EXPECT_EQ(CallErrorKind::kNone, kind_);
  EXPECT_EQ("a.txt  5\n", r.content);
}

TEST_F(RegistryTest, UnknownOrNotAllowedTool) {
  ToolResult r = Call("delete_all", "{}");
  EXPECT_EQ(CallErrorKind::kUnknownTool, kind_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("unknown tool 'delete_all'; available tools: read_file, list_files",
            r.content);
  // Known to the registry but not offered in this attempt.
  r = Call("write_file", R"({"path": "b", "content": "x"})");
  EXPECT_EQ(CallErrorKind::kUnknownTool, kind_);
  EXPECT_EQ("unknown tool 'write_file'; available tools: read_file, list_files",
            r.content);
  EXPECT_FALSE(std::filesystem::exists(world_.workspace() / "b"));
}

TEST_F(RegistryTest, InvalidJson) {
  ToolResult r = Call("read_file", R"({"path": "a.txt")");
  EXPECT_EQ(CallErrorKind::kInvalidJson, kind_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "invalid JSON arguments for read_file: [json.exception.parse_error.101] "
      "parse error at line 1, column 17: syntax error while parsing object - "
      "unexpected end of input; expected '}'; send the arguments as one JSON "
      "object, e.g. {\"path\": \"index.html\"}",
      r.content);
  r = Call("read_file", R"(["a.txt"])");
  EXPECT_EQ(CallErrorKind::kInvalidJson, kind_);
  EXPECT_EQ(
      "invalid arguments for read_file: expected a JSON object, got array; "
      "send the arguments as one JSON object, e.g. {\"path\": \"index.html\"}",
      r.content);
}

TEST_F(RegistryTest, SchemaViolation) {
  ToolResult r = Call("read_file", R"({"file": "a.txt"})");
  EXPECT_EQ(CallErrorKind::kSchemaViolation, kind_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("invalid arguments for read_file: missing required field 'path'",
            r.content);
  r = Call("read_file", R"({"path": "a.txt", "lines": 3})");
  EXPECT_EQ(CallErrorKind::kSchemaViolation, kind_);
  EXPECT_EQ("invalid arguments for read_file: unexpected field 'lines'",
            r.content);
}

TEST_F(RegistryTest, CapsResults) {
  for (const char* name : {"b.txt", "c.txt", "d.txt"}) {
    util::WriteFile(world_.workspace() / name, std::string(30, 'y'));
  }
  // The listing is 39 bytes; 11 are kept, the marker takes the other 25.
  ctx_.max_result_bytes = 36;
  ToolResult r = Call("list_files", "");
  EXPECT_EQ(CallErrorKind::kNone, kind_);
  EXPECT_EQ("a.txt  5\nb.\n[... truncated 28 bytes]", r.content);
}

TEST_F(RegistryTest, SanitizesInvalidUtf8AndCatchesExceptions) {
  registry_.Add(std::make_unique<FunctionTool>(
      ToolSchema{"bytes", "returns bytes", {{"type", "object"}}},
      [](const nlohmann::json&, const ToolContext&) {
        return TextResult(
            "a\xff\xfe"
            "b");
      }));
  registry_.Add(std::make_unique<FunctionTool>(
      ToolSchema{"throws", "throws", {{"type", "object"}}},
      [](const nlohmann::json& args, const ToolContext&) {
        return TextResult(args.at("missing").get<std::string>());
      }));
  allowed_ = {"bytes", "throws"};
  ToolResult r = Call("bytes", "{}");
  EXPECT_EQ(
      "a\xEF\xBF\xBD\xEF\xBF\xBD"
      "b",
      r.content);
  r = Call("throws", "{}");
  EXPECT_EQ(CallErrorKind::kNone, kind_);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "throws failed: [json.exception.out_of_range.403] key 'missing' "
      "not found",
      r.content);
}

TEST(CallErrorKindName, Names) {
  EXPECT_STREQ("none", CallErrorKindName(CallErrorKind::kNone));
  EXPECT_STREQ("invalid_json", CallErrorKindName(CallErrorKind::kInvalidJson));
  EXPECT_STREQ("unknown_tool", CallErrorKindName(CallErrorKind::kUnknownTool));
  EXPECT_STREQ("schema_violation",
               CallErrorKindName(CallErrorKind::kSchemaViolation));
  EXPECT_STREQ("leaked_markup",
               CallErrorKindName(CallErrorKind::kLeakedMarkup));
}

TEST(DefaultRegistry, OffersEveryToolInOrder) {
  const Registry& r = Registry::Default();
  EXPECT_EQ((std::vector<std::string>{"read_file", "write_file", "edit_file",
                                      "list_files", "run_shell", "web_fetch",
                                      "scp_upload", "ssh_exec"}),
            r.Names());
  auto schemas = r.Schemas({"web_fetch", "nope", "read_file"});
  ASSERT_EQ(2u, schemas.size());
  EXPECT_EQ("web_fetch", schemas[0].name);
  EXPECT_EQ("read_file", schemas[1].name);
  EXPECT_NE(nullptr, r.Find("run_shell"));
  EXPECT_EQ(nullptr, r.Find("nope"));
}

}  // namespace
}  // namespace endstate::tools

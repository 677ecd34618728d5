#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/tools/fake_world.h"
#include "tools/builtin_tools.h"

namespace endstate::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FileToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = world_.workspace();
    ctx_.world = &world_;
  }
  void Write(const std::string& rel, const std::string& content) {
    fs::create_directories((ws_ / rel).parent_path());
    ASSERT_TRUE(util::WriteFile(ws_ / rel, content));
  }
  std::string Read(const std::string& rel) {
    return util::ReadFile(ws_ / rel).value_or("<missing>");
  }
  ToolResult Run(const std::unique_ptr<Tool>& tool, const json& args) {
    EXPECT_EQ("", ValidateArgs(tool->schema().parameters, args));
    return tool->Call(args, ctx_);
  }

  testing::FakeWorld world_;
  fs::path ws_;
  ToolContext ctx_;
  std::unique_ptr<Tool> read_ = MakeReadFileTool();
  std::unique_ptr<Tool> write_ = MakeWriteFileTool();
  std::unique_ptr<Tool> edit_ = MakeEditFileTool();
  std::unique_ptr<Tool> list_ = MakeListFilesTool();
};

TEST_F(FileToolsTest, ReadFile) {
  Write("about.html", "<h1>About</h1>\n");
  ToolResult r = Run(read_, {{"path", "about.html"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ("<h1>About</h1>\n", r.content);
  EXPECT_EQ(-1, r.exit_code);
  r = Run(read_, {{"path", "/workspace/about.html"}});
  EXPECT_EQ("<h1>About</h1>\n", r.content);

  r = Run(read_, {{"path", "missing.html"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("file not found: missing.html", r.content);
  r = Run(read_, {{"path", "../etc/passwd"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("path '../etc/passwd' leaves the workspace", r.content);
  fs::create_directories(ws_ / "docs");
  r = Run(read_, {{"path", "docs"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("docs is a directory; use list_files to see what it holds",
            r.content);
  Write("empty.txt", "");
  EXPECT_EQ("(empty.txt is empty)",
            Run(read_, {{"path", "empty.txt"}}).content);
}

TEST_F(FileToolsTest, ReadFileBinaryAndLarge) {
  Write("logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  ToolResult r = Run(read_, {{"path", "logo.png"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ("logo.png is a binary file (10 bytes); it cannot be shown as text",
            r.content);

  ctx_.max_result_bytes = 40;
  Write("big.txt", std::string(1000, 'x'));
  r = Run(read_, {{"path", "big.txt"}});
  EXPECT_EQ(std::string(14, 'x') + "\n[... truncated 986 bytes]", r.content);
}

TEST_F(FileToolsTest, WriteFile) {
  ToolResult r =
      Run(write_, {{"path", "site/docs/new.html"}, {"content", "hello"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ("wrote 5 bytes to site/docs/new.html", r.content);
  EXPECT_EQ("hello", Read("site/docs/new.html"));
  struct stat st {};
  ASSERT_EQ(0, ::stat((ws_ / "site/docs/new.html").c_str(), &st));
  EXPECT_EQ(0644u, st.st_mode & 07777);

  // Replacing keeps the mode and leaves no temporary file behind.
  fs::permissions(ws_ / "site/docs/new.html", fs::perms(0755));
  r = Run(write_, {{"path", "site/docs/new.html"}, {"content", ""}});
  EXPECT_EQ("wrote 0 bytes to site/docs/new.html", r.content);
  EXPECT_EQ("", Read("site/docs/new.html"));
  ASSERT_EQ(0, ::stat((ws_ / "site/docs/new.html").c_str(), &st));
  EXPECT_EQ(0755u, st.st_mode & 07777);
  int entries = 0;
  for (const auto& e : fs::directory_iterator(ws_ / "site/docs")) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(1, entries);

  r = Run(write_, {{"path", "/tmp/evil"}, {"content", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "path '/tmp/evil' is outside the workspace; use a path relative to the "
      "workspace (or below /workspace)",
      r.content);
  r = Run(write_, {{"path", "site"}, {"content", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("site is a directory; give a file path", r.content);
  r = Run(write_, {{"path", "site/docs/new.html/x"}, {"content", "x"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(0u, r.content.rfind("cannot create the folders for "
                                "site/docs/new.html/x: ",
                                0))
      << r.content;
}

TEST_F(FileToolsTest, WriteThroughSymlinkOutsideIsRefused) {
  fs::path outside = world_.dir() / "outside.txt";
  util::WriteFile(outside, "keep");
  fs::create_symlink(outside, ws_ / "link.txt");
  ToolResult r = Run(write_, {{"path", "link.txt"}, {"content", "pwned"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("path 'link.txt' leaves the workspace through symlink 'link.txt'",
            r.content);
  EXPECT_EQ("keep", util::ReadFile(outside).value_or(""));
}

TEST_F(FileToolsTest, EditFile) {
  Write("about.html", "<title>Untitled</title>\n<p>x</p><p>x</p><p>x</p>\n");
  ToolResult r = Run(edit_, {{"path", "about.html"},
                             {"old_text", "<title>Untitled</title>"},
                             {"new_text", "<title>About</title>"}});
  EXPECT_FALSE(r.is_error) << r.content;
  EXPECT_EQ("edited about.html: replaced 1 occurrence", r.content);
  EXPECT_EQ("<title>About</title>\n<p>x</p><p>x</p><p>x</p>\n",
            Read("about.html"));

  r = Run(
      edit_,
      {{"path", "about.html"}, {"old_text", "Untitled"}, {"new_text", "y"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("old_text not found in about.html", r.content);

  r = Run(edit_,
          {{"path", "about.html"}, {"old_text", "<p>x</p>"}, {"new_text", ""}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(
      "old_text occurs 3 times in about.html; include more context to make "
      "it unique",
      r.content);
  EXPECT_EQ("<title>About</title>\n<p>x</p><p>x</p><p>x</p>\n",
            Read("about.html"));

  r = Run(edit_, {{"path", "nope.html"}, {"old_text", "a"}, {"new_text", ""}});
  EXPECT_EQ("file not found: nope.html", r.content);
}

TEST_F(FileToolsTest, ListFiles) {
  Write("index.html", "12345");
  Write("css/site.css", "ab");
  Write("a.txt", "");
  Write(".git/HEAD", "ref: refs/heads/main\n");
  Write(".git/objects/ab/cdef", "x");
  fs::create_directories(ws_ / "empty");
  fs::create_symlink("index.html", ws_ / "home.html");
  ToolResult r = Run(list_, json::object());
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(
      ".git/\n"
      "a.txt  0\n"
      "css/\n"
      "css/site.css  2\n"
      "empty/\n"
      "home.html -> index.html\n"
      "index.html  5\n",
      r.content);

  r = Run(list_, {{"path", "css"}});
  EXPECT_EQ("css/site.css  2\n", r.content);
  r = Run(list_, {{"path", "/workspace/index.html"}});
  EXPECT_EQ("index.html  5\n", r.content);
  r = Run(list_, {{"path", "empty"}});
  EXPECT_EQ("(no files in empty)", r.content);
  r = Run(list_, {{"path", "nothing"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ("no such file or directory: nothing", r.content);
  r = Run(list_, {{"path", ".."}});
  EXPECT_EQ("path '..' leaves the workspace", r.content);
}

TEST_F(FileToolsTest, SchemasMatchTheDocs) {
  EXPECT_EQ("read_file", read_->schema().name);
  EXPECT_EQ(json({"path"}), read_->schema().parameters["required"]);
  EXPECT_EQ(json({"path", "content"}), write_->schema().parameters["required"]);
  EXPECT_EQ(json({"path", "old_text", "new_text"}),
            edit_->schema().parameters["required"]);
  EXPECT_FALSE(list_->schema().parameters.contains("required"));
  for (const auto* t : {&read_, &write_, &edit_, &list_}) {
    EXPECT_EQ(false, (*t)->schema().parameters["additionalProperties"]);
    EXPECT_FALSE((*t)->schema().description.empty());
  }
}

}  // namespace
}  // namespace endstate::tools

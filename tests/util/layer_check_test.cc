// scripts/check-layers, the check CI runs on every #include: the real tree
// has no back edge, and a planted one is named with its file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/shell.h"

namespace endstate {
namespace {

namespace fs = std::filesystem;

const std::string kScript =
    std::string(ENDSTATE_SOURCE_DIR) + "/scripts/check-layers";

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(LayerCheckTest, TheTreeHasNoBackEdge) {
  test::ShellResult r =
      test::Shell(kScript + " " + ENDSTATE_SOURCE_DIR + " 2>&1");
  EXPECT_EQ(0, r.exit_code) << r.out;
  EXPECT_NE(std::string::npos, r.out.find(", 0 back edges\n")) << r.out;
}

TEST(LayerCheckTest, APlantedBackEdgeFails) {
  const fs::path root = fs::temp_directory_path() / "endstate-layers-test";
  fs::remove_all(root);
  Write(root / "CMakeLists.txt",
        "set(ENDSTATE_FOLDERS util models tools)\n"
        "set(deps_util util)\nset(deps_models util models)\n"
        "set(deps_tools util models tools)\n");
  Write(root / "util/a.h", "#pragma once\n");
  Write(root / "tools/t.h", "#include \"models/m.h\"\n#include \"util/a.h\"\n");
  Write(root / "models/m.h",
        "#pragma once\n#include <vector>\n#include \"tools/t.h\"\n");
  test::ShellResult r = test::Shell(kScript + " " + root.string() + " 2>&1");
  EXPECT_EQ(1, r.exit_code);
  EXPECT_EQ(
      "models/m.h:3: models may not include tools/t.h (allowed: util)\n"
      "check-layers: 3 files in 3 folders, 1 back edge\n",
      r.out);
  fs::remove_all(root);
}

}  // namespace
}  // namespace endstate

// Fuzz target for tasks::LoadTask (tasks/loader.h): YAML text to a Task.
//
// Input: the bytes of a task.yaml. They are written to
// <tmp>/<id>/task.yaml, where <id> is the value of a top-level `id:` line
// when it is a plain folder name (so that seeds copied from tasks/*/ get
// past the id check), else "fuzz-task". Errors are expected outcomes; the
// target checks that every error names the file, and that a loaded task
// carries the folder's id. Crashes, sanitizer reports and leaks are bugs.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tasks/loader.h"

namespace {

namespace fs = std::filesystem;

void Require(bool ok, const char* what) {
  if (ok) return;
  __builtin_printf("task_loader_fuzz: invariant failed: %s\n", what);
  std::abort();
}

// The folder for all inputs of this process, removed at exit.
struct TempRoot {
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "es-fuzz-XXXXXX").string();
    Require(mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    path = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

bool IsFolderName(const std::string& s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

// The value of the first line "id: <value>" at column 0, if any.
std::string IdLine(const std::string& yaml) {
  size_t pos = 0;
  while (pos < yaml.size()) {
    size_t end = yaml.find('\n', pos);
    if (end == std::string::npos) end = yaml.size();
    std::string line = yaml.substr(pos, end - pos);
    if (line.rfind("id:", 0) == 0) {
      size_t b = line.find_first_not_of(" \t", 3);
      size_t e = line.find_last_not_of(" \t\r");
      return b == std::string::npos ? "" : line.substr(b, e - b + 1);
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempRoot root;
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  std::string id = IdLine(yaml);
  if (!IsFolderName(id)) id = "fuzz-task";

  const fs::path dir = root.path / id;
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "task.yaml", std::ios::binary | std::ios::trunc);
    out.write(yaml.data(), static_cast<std::streamsize>(yaml.size()));
    Require(out.good(), "cannot write task.yaml");
  }

  endstate::tasks::Task task;
  std::string err;
  if (endstate::tasks::LoadTask(dir, endstate::tasks::LoadOptions{}, &task,
                                &err)) {
    Require(task.id == id, "loaded task id differs from its folder");
  } else {
    Require(err.rfind((dir / "task.yaml").string(), 0) == 0,
            "error does not start with the file name");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}

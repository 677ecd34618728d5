// `endstate show ATTEMPT_ID`: one recorded attempt as a person reads it
// (or as JSON for tools). Formats: docs/cli.md.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/transcript_view.h"
#include "cli/validators.h"
#include "results/transcript.h"

namespace endstate::cli {
namespace {

struct ShowOptions {
  int64_t attempt = 0;
  std::string db = "endstate.db";
  bool json = false;
  bool raw = false;
  bool full = false;
  std::string color = "auto";
};

int Show(const ShowOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("show", o.db, &code);
  if (!reader) return code;
  std::string err;
  auto t = results::LoadTranscript(*reader, o.attempt, &err);
  if (!t) {
    std::cerr << "endstate show: " << err << '\n';
    return err.rfind("no attempt ", 0) == 0 ? kExitUsage : kExitInfra;
  }
  if (o.json) {
    std::cout << TranscriptJson(*t, o.raw).dump(2) << '\n';
    return kExitOk;
  }
  ViewOptions view;
  view.color = UseColor(o.color, STDOUT_FILENO);
  view.full = o.full;
  std::cout << RenderTranscript(*t, view);
  return kExitOk;
}

}  // namespace

Command AddShowCommand(CLI::App& root) {
  auto o = std::make_shared<ShowOptions>();
  CLI::App* app = root.add_subcommand(
      "show", "Print one recorded attempt: turns, tool calls, checks");
  app->add_option("ATTEMPT_ID", o->attempt,
                  "Attempt id (endstate attempts lists them)")
      ->required()
      ->check(AtLeast(1));
  AddDbOption(app, &o->db);
  app->add_flag("--json", o->json, "Stable JSON for tools (docs/cli.md)");
  app->add_flag("--raw", o->raw,
                "With --json: include raw request and response bodies");
  app->add_flag("--full", o->full,
                "Do not fold reasoning or truncate tool results");
  app->add_option("--color", o->color, "auto (default), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  return {app, [o] { return Show(*o); }};
}

}  // namespace endstate::cli

// `endstate merge OUT.db IN.db...`: combines the databases written by the
// shards of a run (`run --shard I/N`) into one database (docs/scale.md).
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/validators.h"
#include "results/merge.h"

namespace endstate::cli {
namespace {

struct MergeOptions {
  std::string out;
  std::vector<std::string> inputs;
  int64_t run = 0;  // 0 = every run of each input
  bool quiet = false;
};

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

int Merge(const MergeOptions& o) {
  std::string err;
  auto merger = results::Merger::Open(o.out, &err);
  if (!merger) {
    std::cerr << "endstate merge: " << err << '\n';
    return kExitInfra;
  }
  results::MergeStats stats;
  for (const auto& in : o.inputs) {
    results::MergeStats before = stats;
    switch (merger->MergeFile(in, o.run, &stats, &err)) {
      case results::MergeStatus::kOk:
        break;
      case results::MergeStatus::kBadInput:
        std::cerr << "endstate merge: " << err << '\n';
        return kExitUsage;
      case results::MergeStatus::kOutputError:
        std::cerr << "endstate merge: " << o.out << ": " << err << '\n';
        return kExitInfra;
    }
    if (!o.quiet) {
      std::cerr << "endstate merge: " << in << ": "
                << Plural(stats.attempts_merged - before.attempts_merged,
                          "attempt", "attempts")
                << " merged, "
                << Plural(stats.duplicates - before.duplicates, "duplicate",
                          "duplicates")
                << " skipped\n";
    }
  }
  // Inputs committed before a failing one stay merged (each is its own
  // transaction), and merging them again adds nothing.
  std::cout << Plural(static_cast<int>(o.inputs.size()), "input", "inputs")
            << ", " << Plural(stats.runs_created, "run", "runs") << " created, "
            << Plural(stats.runs_extended, "run", "runs") << " extended, "
            << Plural(stats.attempts_merged, "attempt", "attempts")
            << " merged, "
            << Plural(stats.attempts_updated, "attempt", "attempts")
            << " updated, "
            << Plural(stats.duplicates, "duplicate", "duplicates")
            << " skipped, " << Plural(stats.probes_merged, "probe", "probes")
            << " merged into " << o.out << '\n';
  return kExitOk;
}

}  // namespace

Command AddMergeCommand(CLI::App& root) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* app = root.add_subcommand(
      "merge",
      "Combine the databases of the shards of a run (run --shard I/N) into "
      "OUT, without duplicates (docs/scale.md)");
  app->add_option("OUT", o->out, "Database to merge into (created if missing)")
      ->required();
  app->add_option("IN", o->inputs, "Shard databases, opened read-only")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--run", o->run,
                  "Merge only run RUN_ID of each input (default: every run)")
      ->check(AtLeast(1))
      ->type_name("RUN_ID");
  app->add_flag("-q,--quiet", o->quiet, "No per-input lines");
  return {app, [o] { return Merge(*o); }};
}

}  // namespace endstate::cli

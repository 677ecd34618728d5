// `endstate runs delete ID...` and `endstate runs prune`: remove runs and
// everything recorded under them (results/run_delete.h), optionally giving
// the freed pages back with VACUUM. Formats and rules: docs/cli.md.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/validators.h"
#include "results/run_delete.h"
#include "results/run_meta.h"
#include "results/store.h"

namespace endstate::cli {
namespace {

struct DeleteOptions {
  std::string db = "endstate.db";
  std::vector<int64_t> ids;
  bool force = false;
  bool vacuum = false;
};

struct PruneCliOptions {
  std::string db = "endstate.db";
  int keep_last = -1;
  int older_than = -1;
  std::vector<std::string> keep_labels;
  bool dry_run = false;
  bool vacuum = false;
};

// Opens (and migrates) the database; false with a message when missing.
bool Ready(const std::string& who, const std::string& db, int* code) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    std::cerr << who << db << ": no such database\n";
    *code = kExitUsage;
    return false;
  }
  std::string err;
  if (!results::Store::Open(db, &err)) {
    std::cerr << who << err << '\n';
    *code = kExitInfra;
    return false;
  }
  return true;
}

int DeleteAndReport(const std::string& who, const std::string& db,
                    const std::vector<int64_t>& ids, bool force, bool vacuum) {
  std::string err;
  results::DeleteStats stats;
  if (!ids.empty() && !results::DeleteRuns(db, ids, force, &stats, &err)) {
    std::cerr << who << err << '\n';
    return err.rfind("no run ", 0) == 0 || err.find("--force") != err.npos
               ? kExitUsage
               : kExitInfra;
  }
  std::cout << "deleted " << stats.runs << " run(s), " << stats.attempts
            << " attempt(s), " << stats.turns << " turn(s) from " << db << '\n';
  if (vacuum) {
    const auto before = std::filesystem::file_size(db);
    if (!results::Vacuum(db, &err)) {
      std::cerr << who << "VACUUM: " << err << '\n';
      return kExitInfra;
    }
    std::cout << "vacuumed " << db << ": " << before << " -> "
              << std::filesystem::file_size(db) << " bytes\n";
  }
  return kExitOk;
}

int Delete(const DeleteOptions& o) {
  const std::string who = "endstate runs delete: ";
  int code = kExitOk;
  if (!Ready(who, o.db, &code)) return code;
  return DeleteAndReport(who, o.db, o.ids, o.force, o.vacuum);
}

int Prune(const PruneCliOptions& o) {
  const std::string who = "endstate runs prune: ";
  int code = kExitOk;
  if (!Ready(who, o.db, &code)) return code;
  std::string err;
  results::PruneOptions options{.keep_last = o.keep_last,
                                .older_than_days = o.older_than};
  if (!results::ParseLabels(o.keep_labels, &options.keep_labels, &err)) {
    std::cerr << who << "--keep-label " << err << '\n';
    return kExitUsage;
  }
  auto ids = results::SelectPrune(o.db, options, &err);
  if (!ids) {
    std::cerr << who << err << '\n';
    return err.rfind("give ", 0) == 0 ? kExitUsage : kExitInfra;
  }
  std::string list;
  for (int64_t id : *ids)
    list += (list.empty() ? "" : " ") + std::to_string(id);
  if (o.dry_run) {
    std::cout << "would delete " << ids->size() << " run(s)"
              << (list.empty() ? "" : ": " + list) << '\n';
    return kExitOk;
  }
  if (!list.empty()) std::cout << "pruning run(s) " << list << '\n';
  return DeleteAndReport(who, o.db, *ids, false, o.vacuum);
}

}  // namespace

std::function<int()> AddRunsDeleteCommands(CLI::App& runs) {
  auto d = std::make_shared<DeleteOptions>();
  CLI::App* del = runs.add_subcommand(
      "delete", "Delete runs and everything recorded under them");
  del->add_option("--db", d->db, "SQLite database (default ./endstate.db)");
  del->add_option("IDS", d->ids, "Run ids")
      ->required()
      ->check(AtLeast(1))
      ->type_name("ID");
  del->add_flag("--force", d->force,
                "Also delete runs still marked running (killed runs)");
  del->add_flag("--vacuum", d->vacuum,
                "Then VACUUM the file to give the space back");

  auto p = std::make_shared<PruneCliOptions>();
  CLI::App* prune = runs.add_subcommand(
      "prune", "Delete old runs: by count (--keep-last) and/or age");
  prune->add_option("--db", p->db, "SQLite database (default ./endstate.db)");
  prune
      ->add_option("--keep-last", p->keep_last,
                   "Keep the newest N runs, delete older ones")
      ->check(AtLeast(0))
      ->type_name("N");
  prune
      ->add_option("--older-than", p->older_than,
                   "Delete runs started more than DAYS days ago")
      ->check(AtLeast(0))
      ->type_name("DAYS");
  prune
      ->add_option("--keep-label", p->keep_labels,
                   "Never delete runs with this label, e.g. baseline=yes "
                   "(repeatable: runs with all of them are kept)")
      ->type_name("KEY=VALUE");
  prune->add_flag("--dry-run", p->dry_run,
                  "Only list the runs that would be deleted");
  prune->add_flag("--vacuum", p->vacuum,
                  "Then VACUUM the file to give the space back");
  return [d, p, del, prune] {
    if (del->parsed()) return Delete(*d);
    if (prune->parsed()) return Prune(*p);
    return -1;
  };
}

}  // namespace endstate::cli

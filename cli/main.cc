// endstate: entry point; dispatches to the subcommands (cli/cli.h).
#include <unistd.h>

#include <string>

#include "cli/cli.h"
#include "sandbox/world_disk.h"

int main(int argc, char** argv) {
  // Before any thread starts: the world disks this process mounts vanish
  // with it, however it ends (sandbox/world_disk.h). Not root: world disks
  // cannot be mounted anyway, and that error says why.
  std::string err;
  if (::geteuid() == 0) endstate::sandbox::EnterOwnMountNamespace(&err);
  return endstate::cli::Main(argc, argv);
}

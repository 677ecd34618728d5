// endstate: entry point; dispatches to the subcommands (cli/cli.h).
#include "cli/cli.h"

int main(int argc, char** argv) { return endstate::cli::Main(argc, argv); }

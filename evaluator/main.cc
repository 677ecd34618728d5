// endstate: entry point; dispatches to the subcommands (evaluator/cli.h).
#include "evaluator/cli.h"

int main(int argc, char** argv) {
  return endstate::evaluator::Main(argc, argv);
}

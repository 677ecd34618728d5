// A process-wide request to stop: set once when `endstate run` receives
// SIGINT or SIGTERM (cli/stop_signals.h), read by the layers that must cut
// their work short: the agent loop between turns, model HTTP requests
// (util/http.h HttpRequest::abort_on_stop, polled by libcurl at least about
// once a second), retry back-offs, and the agent's shell commands
// (sandbox/process.h ProcessSpec::abort_on_stop, polled every 100 ms).
//
// A request is never withdrawn within a process, except by tests
// (ClearStopForTest). Every function is lock-free and async-signal-safe.
#pragma once

namespace endstate::util {

// Asks everything that polls StopRequested() to stop.
void RequestStop();

// Whether RequestStop() was called.
bool StopRequested();

// Withdraws the request (tests that stop a run in-process, then go on).
void ClearStopForTest();

}  // namespace endstate::util

// `endstate serve-replay ATTEMPT_ID`: an OpenAI-compatible chat completions
// server that answers with the recorded assistant turns of one attempt, so
// that any agent client can be debugged against a deterministic "model"
// (docs/replay.md "serve-replay").
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/validators.h"
#include "evaluator/replay.h"
#include "evaluator/replay_wire.h"
#include "models/builtin_replay.h"
#include "results/transcript.h"
#include "util/format.h"

namespace endstate::cli {
namespace {

using nlohmann::json;

struct ServeOptions {
  int64_t attempt_id = 0;
  std::string db = "endstate.db";
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = a free port chosen by the kernel
  bool sequential = false;
  int max_requests = 0;  // chat completions answered, then exit; 0 = never
};

json ErrorBody(const std::string& message, const std::string& type) {
  return {{"error",
           {{"message", "endstate serve-replay: " + message},
            {"type", type},
            {"code", nullptr}}}};
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

class ReplayServer {
 public:
  ReplayServer(const ServeOptions& o, std::string model,
               std::vector<models::CompletionResponse> turns)
      : o_(o),
        model_(std::move(model)),
        turns_(std::move(turns)),
        created_(static_cast<int64_t>(std::time(nullptr))) {
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   Complete(req, res);
                 });
    server_.Get("/v1/models",
                [this](const httplib::Request&, httplib::Response& res) {
                  json model = {{"id", model_},
                                {"object", "model"},
                                {"created", created_},
                                {"owned_by", "endstate-replay"}};
                  res.set_content(Dump({{"object", "list"}, {"data", {model}}}),
                                  "application/json");
                });
    auto unknown = [](const httplib::Request& req, httplib::Response& res) {
      res.status = 404;
      res.set_content(Dump(ErrorBody("no route " + req.method + " " + req.path +
                                         " (serving /v1/chat/completions "
                                         "and /v1/models)",
                                     "invalid_request_error")),
                      "application/json");
    };
    server_.Post(".*", unknown);
    server_.Get(".*", unknown);
    // The logger runs after a response is completely written, streams
    // included: only then does a request count towards --max-requests.
    server_.set_logger(
        [this](const httplib::Request& req, const httplib::Response&) {
          if (req.path == "/v1/chat/completions" && o_.max_requests > 0 &&
              ++answered_ >= o_.max_requests) {
            done_ = true;
          }
        });
  }

  // Binds; returns the port, or -1.
  int Bind() {
    if (o_.port == 0) return server_.bind_to_any_port(o_.host);
    return server_.bind_to_port(o_.host, o_.port) ? o_.port : -1;
  }
  void Listen() { server_.listen_after_bind(); }
  void Stop() { server_.stop(); }
  bool done() const { return done_; }

 private:
  void Complete(const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() ||
        !body.contains("messages") || !body["messages"].is_array()) {
      res.status = 400;
      res.set_content(Dump(ErrorBody("the request body is not a JSON "
                                     "object with a messages list",
                                     "invalid_request_error")),
                      "application/json");
      return;
    }
    size_t turn = 0;
    if (o_.sequential) {
      turn = next_++;
    } else {
      // The conversation so far says which turn comes next: a retried
      // request gets the same answer, a new conversation starts again.
      for (const json& m : body["messages"]) {
        if (m.is_object() && m.value("role", "") == "assistant") ++turn;
      }
    }
    const bool stream = body.value("stream", false) == true;
    bool include_usage = false;
    if (body.contains("stream_options") && body["stream_options"].is_object())
      include_usage = body["stream_options"].value("include_usage", false);

    models::CompletionResponse end;  // after the record: a final stop
    end.finish_reason = "stop";
    const bool past_end = turn >= turns_.size();
    const models::CompletionResponse& r = past_end ? end : turns_[turn];
    evaluator::WireIds ids{.id = "chatcmpl-replay-" +
                                 std::to_string(o_.attempt_id) + "-" +
                                 std::to_string(turn),
                           .model = model_,
                           .created = created_,
                           .turn = static_cast<int>(turn)};
    {
      std::lock_guard lock(log_mu_);
      std::cerr << "endstate serve-replay: turn "
                << util::Ordinal(static_cast<int>(turn)) << " of "
                << turns_.size() << (stream ? " (stream)" : "")
                << (past_end ? ": past the record, answering stop" : "")
                << '\n';
    }
    res.set_header("X-Endstate-Replay-Turn",
                   std::to_string(util::Ordinal(static_cast<int>(turn))));
    if (past_end) res.set_header("X-Endstate-Replay", "end");
    if (!stream) {
      res.set_content(Dump(evaluator::CompletionBody(r, ids)),
                      "application/json");
      return;
    }
    auto chunks = std::make_shared<std::string>();
    for (const json& c : evaluator::CompletionChunks(r, ids, include_usage))
      *chunks += "data: " + Dump(c) + "\n\n";
    *chunks += "data: [DONE]\n\n";
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [chunks](size_t, httplib::DataSink& sink) {
          // One write per SSE event, as a server streaming tokens does.
          size_t pos = 0;
          while (pos < chunks->size()) {
            size_t end = chunks->find("\n\n", pos) + 2;
            if (!sink.write(chunks->data() + pos, end - pos)) return false;
            pos = end;
          }
          sink.done();
          return true;
        });
  }

  const ServeOptions& o_;
  std::string model_;
  std::vector<models::CompletionResponse> turns_;
  int64_t created_;
  httplib::Server server_;
  std::atomic<size_t> next_{0};
  std::atomic<int> answered_{0};
  std::atomic<bool> done_{false};
  std::mutex log_mu_;
};

int Serve(const ServeOptions& o) {
  int code = kExitOk;
  auto reader = OpenRecord("serve-replay", o.db, &code);
  if (!reader) return code;
  std::string err;
  std::optional<results::Transcript> transcript =
      results::LoadTranscript(*reader, o.attempt_id, &err);
  if (!transcript) {
    std::cerr << "endstate serve-replay: " << err << '\n';
    return kExitUsage;
  }
  std::vector<models::CompletionResponse> turns =
      evaluator::RecordedResponses(*transcript);
  const size_t recorded = turns.size();

  // SIGINT and SIGTERM are taken with sigtimedwait below; block them before
  // the server starts its threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ReplayServer server(o, transcript->attempt.model, std::move(turns));
  const int port = server.Bind();
  if (port <= 0) {
    std::cerr << "endstate serve-replay: cannot listen on " << o.host << ":"
              << o.port << '\n';
    return kExitInfra;
  }
  std::thread listener([&] { server.Listen(); });
  std::cerr << "endstate serve-replay: attempt " << o.attempt_id << " ("
            << transcript->attempt.model << " on " << transcript->attempt.task
            << "): " << recorded << " recorded turn(s); stop with Ctrl-C\n";
  std::cout << "listening on http://" << o.host << ":" << port << "/v1"
            << std::endl;
  while (!server.done()) {
    timespec tick{0, 50'000'000};
    int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  server.Stop();
  listener.join();
  return kExitOk;
}

}  // namespace

Command AddServeReplayCommand(CLI::App& root) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* app = root.add_subcommand(
      "serve-replay",
      "Serve one attempt's recorded assistant turns as an OpenAI-compatible "
      "chat completions endpoint");
  app->add_option("ATTEMPT_ID", o->attempt_id, "Attempt to serve")
      ->required()
      ->check(AtLeast(1));
  AddDbOption(app, &o->db);
  app->add_option("--port", o->port,
                  "TCP port (default 0: a free one, printed)")
      ->check(CLI::Range(0, 65535));
  app->add_option("--host", o->host,
                  "Address to listen on (default 127.0.0.1)");
  app->add_flag("--sequential", o->sequential,
                "Answer requests with turns 1, 2, 3... in arrival order "
                "instead of by the number of assistant messages sent");
  app->add_option("--max-requests", o->max_requests,
                  "Exit after answering N chat completions (default: run "
                  "until SIGINT/SIGTERM)")
      ->check(AtLeast(0));
  return {app, [o] { return Serve(*o); }};
}

}  // namespace endstate::cli

// tenantd: one binary, several doors. main() only parses the command line and hands over to
// wiring.hpp (which builds the application) and the transports.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/auth_setup.hpp"
#include "app/cli.hpp"
#include "app/config.hpp"
#include "app/lambda_memory.hpp"
#include "app/serve_memory.hpp"
#include "app/wiring.hpp"
#include "core/build_info.hpp"
#include "core/ids.hpp"
#include "lambda/handler.hpp"
#include "lambda/runtime_api.hpp"
#include "obs/emf.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"
#include "store/item_store.hpp"
#include "transport/http_server.hpp"

namespace tenantd {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // could not start / the operation failed
constexpr int kExitUsage = 2;    // bad command line or configuration
constexpr std::chrono::seconds kStopGrace{10};

// Standard output and error through stdio, not <iostream>: the streams' static initialisation
// (eight stream objects and every facet of the classic locale) cost each start ~0.2 ms, a Lambda's
// cold start too (docs/decisions/0037-a-lambda-answers-first.md).
void print(std::FILE* to, std::initializer_list<std::string_view> parts) {
  for (const std::string_view part : parts) {
    std::fwrite(part.data(), 1, part.size(), to);
  }
}

// A line for a reader waiting on it (a test for "listening", CloudWatch for a metrics line).
void print_line_now(std::string_view line) {
  print(stdout, {line, "\n"});
  std::fflush(stdout);
}

std::string read_all(std::FILE* from) {
  std::string text;
  char chunk[16384];
  std::size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, from)) > 0) {
    text.append(chunk, got);
  }
  return text;
}

int fail(const Error& error, int code) {
  print(stderr, {"tenantd: ", cli::describe(error), "\n"});
  return code;
}

// Config errors are the user's (exit 2); anything else is a failure to carry out (exit 1).
int fail_config(const Error& error) {
  return fail(error, kExitUsage);
}

int serve(std::vector<std::string>& args) {
  // Block the stop signals before any thread exists, so that every thread inherits the mask and
  // only the waiting thread below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  if (auto allowed = check_serve_auth_mode(*config); !allowed) {
    return fail_config(allowed.error());
  }
  give_each_serve_thread_an_arena(*config);
  auto runtime = build_runtime(*config);
  if (!runtime) {
    return fail(runtime.error(), kExitFailure);
  }
  transport::HttpServerOptions options;
  options.threads = config->event_loops();
  options.write_threads = config->write_threads;
  options.max_connections = static_cast<std::size_t>(config->max_connections);
  options.max_connections_per_client = static_cast<std::size_t>(config->max_connections_per_client);
  // Connections refused by a cap, per cap, in GET /metrics (the counters live as long as the
  // runtime, which outlives the server).
  obs::MetricsRegistry& metrics = (*runtime)->metrics();
  constexpr std::string_view kRefusedHelp =
      "Connections closed at accept because a cap was reached";
  obs::Counter& refused_global =
      metrics.counter("tenantd_http_connections_refused_total", kRefusedHelp, {{"cap", "global"}});
  obs::Counter& refused_per_client = metrics.counter("tenantd_http_connections_refused_total",
                                                     kRefusedHelp, {{"cap", "per_client"}});
  options.on_connection_refused = [&refused_global, &refused_per_client](std::string_view cap) {
    (cap == "global" ? refused_global : refused_per_client).inc();
  };
  // Each event loop batches its request log lines and writes them in one write() per turn
  // (docs/operations.md#observability); the logger outlives the server.
  const obs::Logger& logger = (*runtime)->logger();
  options.on_loop_start = [&logger] { logger.batch_thread_lines(); };
  options.on_loop_turn = [&logger] { logger.flush_thread_lines(); };
  options.on_loop_exit = [&logger] { logger.end_thread_batch(); };
  // A turn's read requests share one snapshot of the store (the runtime outlives the server).
  store::ItemStore& store = (*runtime)->store();
  options.before_read_batch = [&store] { store.begin_read_batch(); };
  options.after_read_batch = [&store] { store.end_read_batch(); };
  transport::HttpServer server((*runtime)->handler(), options);
  auto port = server.listen(config->host, config->port);
  if (!port) {
    return fail(port.error(), kExitFailure);
  }
  print_line_now("tenantd listening on " + cli::listen_url(config->host, *port));
  (*runtime)->start_background();
  FreedMemoryReturner freed_memory_returner;
  freed_memory_returner.start();

  std::thread signal_waiter([&server, &stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop(kStopGrace);
  });
  server.run();
  // run() only returns after stop(); should it ever return on its own, wake the waiter.
  // Not a kill: SIGTERM is blocked in every thread, so it only completes the waiter's sigwait.
  // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
  pthread_kill(signal_waiter.native_handle(), SIGTERM);
  signal_waiter.join();
  (*runtime)->stop_background();  // flushes the outbox
  return kExitOk;
}

// `token`, or `console-link` when `link` is set: the same grant as a one-time sign-in link.
int token(std::vector<std::string>& args, bool link = false) {
  auto email = cli::take_flag(args, "email");
  auto groups = cli::take_flag(args, "groups");
  auto sub = cli::take_flag(args, "sub");
  auto ttl = cli::take_flag(args, "ttl");
  std::vector<FieldError> problems;
  for (auto* r : {&email, &groups, &sub, &ttl}) {
    if (!r->ok()) {
      problems.insert(problems.end(), r->error().errors.begin(), r->error().errors.end());
    }
  }
  if (email.ok() && !email->has_value()) {
    problems.push_back({"--email", "REQUIRED", "is required"});
  }
  TokenRequest request;
  if (ttl.ok() && ttl->has_value()) {
    const std::string& text = **ttl;
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), request.ttl_seconds);
    if (ec != std::errc() || end != text.data() + text.size() || request.ttl_seconds <= 0) {
      problems.push_back({"--ttl", "INVALID_VALUE", "must be a positive number of seconds"});
    }
  }
  if (!problems.empty()) {
    return fail_config(cli::usage_error(std::move(problems)));
  }
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  request.email = **email;
  if (groups->has_value()) {
    request.groups = cli::split_list(**groups);
  }
  request.sub = *sub;
  if (link) {
    auto code = console_sign_in_code(*config, request);
    if (!code) {
      return fail(code.error(), kExitFailure);
    }
    print(stdout, {config->public_url, "/console/?code=", *code, "\n"});
    return kExitOk;
  }
  auto jwt = mint_token(*config, request);
  if (!jwt) {
    return fail(jwt.error(), kExitFailure);
  }
  print(stdout, {*jwt, "\n"});
  return kExitOk;
}

int migrate_command(std::vector<std::string>& args) {
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  const Status done = migrate(*config);
  if (!done) {
    return fail(done.error(), kExitFailure);
  }
  if (config->store == "sqlite") {
    print(stdout,
          {"migrated: sqlite store ", config->database_path(), " has every table and index\n"});
  } else {
    print(stdout, {"migrated: ", config->store, " tables of environment ", config->environment,
                   " exist with every index\n"});
  }
  return kExitOk;
}

int outbox(std::vector<std::string>& args) {
  const auto action = cli::take_positional(args);
  if (!action || (*action != "list" && *action != "retry" && *action != "drain")) {
    return fail_config(cli::usage_error(
        {{action.value_or("action"), "INVALID_VALUE", "must be list, retry or drain"}}));
  }
  if (*action == "list") {
    auto status = cli::take_flag(args, "status");
    if (!status) {
      return fail_config(status.error());
    }
    std::vector<std::string> statuses = {"PENDING", "FAILED"};
    if (status->has_value()) {
      if (**status != "PENDING" && **status != "FAILED") {
        return fail_config(
            cli::usage_error({{"--status", "INVALID_VALUE", "must be PENDING or FAILED"}}));
      }
      statuses = {**status};
    }
    auto config = load_config(args);
    if (!config) {
      return fail_config(config.error());
    }
    for (const auto& s : statuses) {
      auto lines = outbox_list(*config, s);
      if (!lines) {
        return fail(lines.error(), kExitFailure);
      }
      for (const auto& line : *lines) {
        print(stdout, {line, "\n"});
      }
    }
    return kExitOk;
  }
  if (*action == "retry") {
    const auto event_id = cli::take_positional(args);
    auto config = load_config(args);
    if (!config) {
      return fail_config(config.error());
    }
    auto count = outbox_retry(*config, event_id);
    if (!count) {
      return fail(count.error(), kExitFailure);
    }
    print(stdout, {"retrying ", std::to_string(*count), " event(s)\n"});
    return kExitOk;
  }
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  auto count = outbox_drain(*config);
  if (!count) {
    return fail(count.error(), kExitFailure);
  }
  print(stdout, {"delivered ", std::to_string(*count), " event(s)\n"});
  return kExitOk;
}

lambda::LambdaHandler make_lambda_handler(Runtime& runtime, const Clock& clock,
                                          std::function<void(double)> observed = {}) {
  lambda::Jobs jobs;
  jobs.observed = std::move(observed);
  jobs.scheduled = [&runtime] { return runtime.run_scheduled_jobs(); };
  jobs.ecs = [&runtime](std::string_view event) { return runtime.handle_ecs_event(event); };
  jobs.flush = [&runtime](std::optional<TimePoint> deadline) { runtime.flush_outbox(deadline); };
  return lambda::LambdaHandler(runtime.handler(), std::move(jobs), clock);
}

// `tenantd invoke [EVENT]`: one event from the argument or stdin; prints the response document
// (exit 0) or the invocation error (exit 1), as the Lambda would return them.
int invoke(std::vector<std::string>& args) {
  auto source = cli::take_event_source(args);
  if (!source) {
    return fail_config(source.error());
  }
  // The rest of the command line first: a wrong flag must not wait for an event on stdin.
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  std::istringstream piped;  // stdin, read only when the event comes from it
  if (!source->file && !source->text) {
    piped.str(read_all(stdin));
  }
  auto event_text = cli::read_event(*source, piped);
  if (!event_text) {
    return fail_config(event_text.error());
  }
  const std::string event = std::move(*event_text);
  auto runtime = build_runtime(*config);
  if (!runtime) {
    return fail(runtime.error(), kExitFailure);
  }
  SystemClock clock;
  auto handler = make_lambda_handler(**runtime, clock);
  lambda::Invocation invocation;
  invocation.request_id = "invoke-" + correlation_uuid();
  const auto outcome = handler.handle(event, invocation);
  print_line_now(outcome.ok ? outcome.body : lambda::error_document(outcome));
  handler.finish(invocation);
  return outcome.ok ? kExitOk : kExitFailure;
}

// `tenantd lambda`: the custom runtime loop against AWS_LAMBDA_RUNTIME_API.
int lambda_runtime(std::vector<std::string>& args) {
  (void)populate_lambda_heap();  // before the first allocations of the cold start
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    print(stderr, {"tenantd: lambda needs AWS_LAMBDA_RUNTIME_API (the Lambda service sets it)\n"});
    return kExitUsage;
  }
  lambda::RuntimeApi api(endpoint);
  auto config = load_config(args, Profile::Lambda);
  if (!config) {
    (void)api.init_error("Runtime.InvalidConfiguration", cli::describe(config.error()));
    return fail_config(config.error());
  }
  auto runtime = build_runtime(*config);
  if (!runtime) {
    (void)api.init_error("Runtime.InitFailed", runtime.error().message);
    return fail(runtime.error(), kExitFailure);
  }
  SystemClock clock;
  obs::EmfReporter emf((*runtime)->metrics(), config->environment);
  // Metrics are EMF lines on stdout; CloudWatch Logs turns them into BBWS/TenantManagement.
  auto handler = make_lambda_handler(**runtime, clock, [&emf, &clock](double latency_ms) {
    print_line_now(emf.line(clock.now(), latency_ms));
  });
  const Status ended = lambda::run_runtime_loop(api, handler);
  return ended ? kExitOk : fail(ended.error(), kExitFailure);
}

int version(std::vector<std::string>& args) {
  if (!args.empty()) {
    return fail_config(
        cli::usage_error({{args.front(), "UNEXPECTED_ARGUMENT", "version takes none"}}));
  }
  print(stdout, {"tenantd ", build_info::kVersion, " (", build_info::kCommit, ")\n"});
  return kExitOk;
}

struct Command {
  cli::CommandSpec spec;
  int (*run)(std::vector<std::string>& args);
};

// Every subcommand: what main() dispatches on and what --help and usage errors print.
const std::vector<Command>& commands() {
  static const std::vector<cli::FlagSpec> kGrantFlags = {
      {"--email EMAIL", "the user to grant (required)"},
      {"--groups G1,G2", "the user's groups, comma-separated"},
      {"--sub ID", "the subject (user id); default: the local directory's id for the email"},
      {"--ttl SECONDS", "how long the grant lasts (default: 3600)"},
  };
  static const std::vector<Command> kCommands = {
      {{"serve", "[flags]", "Run the HTTP API.", "", {}}, serve},
      {{"token", "--email EMAIL [--groups G1,G2] [--sub ID] [--ttl SECONDS] [flags]",
        "Print a development JWT (AUTH_MODE=local).", "", kGrantFlags},
       [](std::vector<std::string>& args) { return token(args); }},
      {{"console-link", "--email EMAIL [--groups G1,G2] [--sub ID] [--ttl SECONDS] [flags]",
        "Print a one-time console sign-in link (AUTH_MODE=local).",
        "The same grant as `token`; the link opens PUBLIC_URL/console/.", kGrantFlags},
       [](std::vector<std::string>& args) { return token(args, true); }},
      {{"migrate", "[flags]", "Create the tables and indexes of the configured store.", "", {}},
       migrate_command},
      {{"outbox",
        "list [--status PENDING|FAILED] | retry [EVENT_ID] | drain [flags]",
        "List, retry or deliver the outbox's events.",
        "list: the pending and failed events; retry: the failed ones (one or all) again;\n"
        "drain: deliver every pending event now.",
        {{"--status PENDING|FAILED", "list: only the events in this state (default: both)"}}},
       outbox},
      {{"invoke",
        "['EVENT_JSON' | - | --file PATH] [flags]",
        "Handle one Lambda event and print the response.",
        "Prints the response document (exit 0) or the invocation error (exit 1). The event\n"
        "comes from the argument, the file, or stdin (`-` or no event); flags go before or\n"
        "after it.",
        {{"--file PATH", "read the event from this file"}}},
       invoke},
      {{"lambda",
        "[flags]",
        "Run as an AWS Lambda custom runtime.",
        "Polls AWS_LAMBDA_RUNTIME_API (the Lambda service sets it) and starts from the Lambda\n"
        "defaults; also what runs when started as `bootstrap`, or with AWS_LAMBDA_RUNTIME_API\n"
        "set and no command.",
        {}},
       lambda_runtime},
      {{"version", "", "Print the version and commit.", "", {}, false}, version},
  };
  return kCommands;
}

std::vector<cli::CommandSpec> command_specs() {
  std::vector<cli::CommandSpec> specs;
  for (const Command& command : commands()) {
    specs.push_back(command.spec);
  }
  return specs;
}

// One subcommand: --help anywhere prints its help; a usage error (exit 2) ends with its usage.
int run_command(const Command& command, std::vector<std::string> args) {
  if (cli::take_help(args)) {
    print(stdout,
          {command.spec.name == "serve" ? config_help()
                                        : cli::command_help(command.spec, settings_help())});
    return kExitOk;
  }
  const int code = command.run(args);
  if (code == kExitUsage) {
    print(stderr, {"\n", cli::usage_line(command.spec), "`tenantd ", command.spec.name,
                   " --help` lists its flags.\n"});
  }
  return code;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* program = argc > 0 ? argv[0] : "tenantd";
  const char* slash = std::strrchr(program, '/');
  const std::string name = slash != nullptr ? slash + 1 : program;
  // The Lambda service starts the binary as `bootstrap`, with AWS_LAMBDA_RUNTIME_API set.
  const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (args.empty() && (name == "bootstrap" || (runtime_api != nullptr && *runtime_api != '\0'))) {
    return lambda_runtime(args);
  }
  if (args.empty()) {
    print(stderr, {cli::overview(command_specs())});
    return kExitUsage;
  }
  std::string command_name = args.front();
  args.erase(args.begin());
  if (command_name == "help" || command_name == "--help" || command_name == "-h") {
    print(stdout, {cli::overview(command_specs())});
    return kExitOk;
  }
  if (command_name == "--version") {
    command_name = "version";
  }
  for (const Command& command : commands()) {
    if (command.spec.name == command_name) {
      return run_command(command, std::move(args));
    }
  }
  print(stderr,
        {"tenantd: unknown command '", command_name, "'\n\n", cli::overview(command_specs())});
  return kExitUsage;
}

}  // namespace
}  // namespace tenantd

int main(int argc, char** argv) {
  try {
    return tenantd::run(argc, argv);
  } catch (const std::exception& e) {
    tenantd::print(stderr, {"tenantd: fatal: ", e.what(), "\n"});
    return 1;
  }
}

// tenantd: one binary, several doors. main() only parses the command line and hands over to
// wiring.hpp (which builds the application) and the transports.
#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "app/auth_setup.hpp"
#include "app/cli.hpp"
#include "app/config.hpp"
#include "app/wiring.hpp"
#include "core/build_info.hpp"
#include "core/ids.hpp"
#include "lambda/handler.hpp"
#include "lambda/runtime_api.hpp"
#include "obs/emf.hpp"
#include "obs/metrics.hpp"
#include "transport/http_server.hpp"

namespace tenantd {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // could not start / the operation failed
constexpr int kExitUsage = 2;    // bad command line or configuration
constexpr std::chrono::seconds kStopGrace{10};

constexpr const char* kUsage =
    "Usage: tenantd <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  serve     run the HTTP API (tenantd serve --help lists every setting)\n"
    "  token     print a development JWT:\n"
    "            token --email E [--groups g1,g2] [--sub ID] [--ttl SECONDS] [--data-dir DIR]\n"
    "  console-link  print a one-time console sign-in link (AUTH_MODE=local), with the\n"
    "            flags of token; the link opens PUBLIC_URL/console/\n"
    "  migrate   create the tables and indexes of the configured store\n"
    "  outbox    list [--status PENDING|FAILED] | retry [EVENT_ID] | drain\n"
    "  invoke    handle one Lambda event and print the response:\n"
    "            invoke ['EVENT_JSON' | - | --file PATH] (no event: stdin; flags before or after)\n"
    "  lambda    run as an AWS Lambda custom runtime (also as `bootstrap`, or with\n"
    "            AWS_LAMBDA_RUNTIME_API set and no command)\n"
    "  version   print the version\n"
    "\n"
    "Every command also takes the settings of `serve` (flags or environment variables).\n";

int fail(const Error& error, int code) {
  std::cerr << "tenantd: " << cli::describe(error) << '\n';
  return code;
}

// Config errors are the user's (exit 2); anything else is a failure to carry out (exit 1).
int fail_config(const Error& error) {
  return fail(error, kExitUsage);
}

int serve(std::vector<std::string> args) {
  if (cli::take_switch(args, "--help") || cli::take_switch(args, "-h")) {
    std::cout << config_help();
    return kExitOk;
  }
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
  auto runtime = build_runtime(*config);
  if (!runtime) {
    return fail(runtime.error(), kExitFailure);
  }
  transport::HttpServerOptions options;
  options.threads = config->threads;
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
  transport::HttpServer server((*runtime)->handler(), options);
  auto port = server.listen(config->host, config->port);
  if (!port) {
    return fail(port.error(), kExitFailure);
  }
  std::cout << "tenantd listening on " << cli::listen_url(config->host, *port) << std::endl;
  (*runtime)->start_background();

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
int token(std::vector<std::string> args, bool link = false) {
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
    std::cout << config->public_url << "/console/?code=" << *code << '\n';
    return kExitOk;
  }
  auto jwt = mint_token(*config, request);
  if (!jwt) {
    return fail(jwt.error(), kExitFailure);
  }
  std::cout << *jwt << '\n';
  return kExitOk;
}

int migrate_command(const std::vector<std::string>& args) {
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  const Status done = migrate(*config);
  if (!done) {
    return fail(done.error(), kExitFailure);
  }
  if (config->store == "sqlite") {
    std::cout << "migrated: sqlite store " << config->database_path()
              << " has every table and index\n";
  } else {
    std::cout << "migrated: " << config->store << " tables of environment " << config->environment
              << " exist with every index\n";
  }
  return kExitOk;
}

int outbox(std::vector<std::string> args) {
  const auto action = cli::take_positional(args);
  if (!action || (*action != "list" && *action != "retry" && *action != "drain")) {
    std::cerr
        << "Usage: tenantd outbox list [--status PENDING|FAILED] | retry [EVENT_ID] | drain\n";
    return kExitUsage;
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
        std::cout << line << '\n';
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
    std::cout << "retrying " << *count << " event(s)\n";
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
  std::cout << "delivered " << *count << " event(s)\n";
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
int invoke(std::vector<std::string> args) {
  auto event_text = cli::take_event(args, std::cin);
  if (!event_text) {
    return fail_config(event_text.error());
  }
  const std::string event = std::move(*event_text);
  auto config = load_config(args);
  if (!config) {
    return fail_config(config.error());
  }
  auto runtime = build_runtime(*config);
  if (!runtime) {
    return fail(runtime.error(), kExitFailure);
  }
  SystemClock clock;
  auto handler = make_lambda_handler(**runtime, clock);
  lambda::Invocation invocation;
  invocation.request_id = "invoke-" + RandomIds().uuid();
  const auto outcome = handler.handle(event, invocation);
  if (!outcome.ok) {
    std::cout << lambda::error_document(outcome) << '\n';
    return kExitFailure;
  }
  std::cout << outcome.body << '\n';
  return kExitOk;
}

// `tenantd lambda`: the custom runtime loop against AWS_LAMBDA_RUNTIME_API.
int lambda_runtime(const std::vector<std::string>& args) {
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    std::cerr << "tenantd: lambda needs AWS_LAMBDA_RUNTIME_API (the Lambda service sets it)\n";
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
    std::cout << emf.line(clock.now(), latency_ms) << std::endl;
  });
  const Status ended = lambda::run_runtime_loop(api, handler);
  return ended ? kExitOk : fail(ended.error(), kExitFailure);
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
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = args.front();
  args.erase(args.begin());
  // Every command answers --help (serve lists its settings itself).
  const bool known = command == "token" || command == "migrate" || command == "outbox" ||
                     command == "invoke" || command == "lambda" || command == "version";
  if (known && (cli::take_switch(args, "--help") || cli::take_switch(args, "-h"))) {
    std::cout << kUsage << "\n" << config_help();
    return kExitOk;
  }
  if (command == "serve") {
    return serve(std::move(args));
  }
  if (command == "token") {
    return token(std::move(args));
  }
  if (command == "console-link") {
    return token(std::move(args), true);
  }
  if (command == "migrate") {
    return migrate_command(args);
  }
  if (command == "outbox") {
    return outbox(std::move(args));
  }
  if (command == "version" || command == "--version") {
    std::cout << "tenantd " << build_info::kVersion << " (" << build_info::kCommit << ")\n";
    return kExitOk;
  }
  if (command == "invoke") {
    return invoke(std::move(args));
  }
  if (command == "lambda") {
    return lambda_runtime(args);
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return kExitOk;
  }
  std::cerr << "tenantd: unknown command '" << command << "'\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace
}  // namespace tenantd

int main(int argc, char** argv) {
  try {
    return tenantd::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "tenantd: fatal: " << e.what() << '\n';
    return 1;
  }
}

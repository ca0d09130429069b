#pragma once
// Small helpers for the subcommands of main(): the table that describes each subcommand and
// renders its --help, taking a subcommand's own flags out of the argument list before the rest
// goes to load_config(), and printing errors for a terminal.
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"

namespace tenantd::cli {

// One flag of a subcommand, as --help shows it: `--email EMAIL`, then what it does.
struct FlagSpec {
  std::string_view flag;
  std::string_view help;
};

// One subcommand: main() dispatches on `name`; --help and usage errors print from here.
struct CommandSpec {
  std::string_view name;
  std::string_view synopsis;  // the arguments after `tenantd <name> `
  std::string_view summary;   // what it does, one line
  std::string_view details;   // more for its --help (may be empty)
  std::vector<FlagSpec> flags;
  bool takes_settings = true;  // also the settings of `serve` (flags or environment variables)
};

// "Usage: tenantd token --email EMAIL [flags]\n"
std::string usage_line(const CommandSpec& command);

// The command's --help: its usage, summary, own flags and, when it takes them, `settings_help`
// (every setting of serve).
std::string command_help(const CommandSpec& command, std::string_view settings_help);

// `tenantd --help`: one line per command.
std::string overview(const std::vector<CommandSpec>& commands);

// Removes `--help` and `-h`; true when either was there.
bool take_help(std::vector<std::string>& args);

// A VALIDATION_ERROR about the command line ("invalid arguments"), one FieldError per problem.
Error usage_error(std::vector<FieldError> problems);

// Removes every `--name VALUE` and `--name=VALUE` from `args` and returns the last value
// (nullopt when absent). A `--name` with nothing after it is a VALIDATION_ERROR.
Result<std::optional<std::string>> take_flag(std::vector<std::string>& args, std::string_view name);

// Removes every occurrence of a flag without value (`--help`); true when there was one.
bool take_switch(std::vector<std::string>& args, std::string_view name);

// Removes and returns the first argument that is neither a flag nor a flag's value
// (every flag of tenantd takes a value, so `--flag X` is skipped as a pair).
std::optional<std::string> take_positional(std::vector<std::string>& args);

// "a, b,,c " -> {"a", "b", "c"}
std::vector<std::string> split_list(std::string_view text);

// The error and each field problem on its own line, for stderr.
std::string describe(const Error& error);

// "http://127.0.0.1:8080", "http://[::1]:8080"
std::string listen_url(const std::string& host, int port);

// Where `tenantd invoke`'s event comes from: `--file PATH`, a positional `-` (stdin) or JSON text;
// stdin when neither is given.
struct EventSource {
  std::optional<std::string> file;
  std::optional<std::string> text;  // nullopt: stdin
};

// Takes the event's flag or positional out of `args`, flags before or after it, without reading
// anything yet (so that the rest of the command line can be checked first). Giving both a file
// and a positional event is a usage error.
Result<EventSource> take_event_source(std::vector<std::string>& args);

// The event's text; a file that cannot be read is a usage error.
Result<std::string> read_event(const EventSource& source, std::istream& in);

// take_event_source, then read_event.
Result<std::string> take_event(std::vector<std::string>& args, std::istream& in);

}  // namespace tenantd::cli

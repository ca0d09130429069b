#pragma once
// Small helpers for the subcommands of main(): taking a subcommand's own flags out of the
// argument list before the rest goes to load_config(), and printing errors for a terminal.
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"

namespace tenantd::cli {

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

// `tenantd invoke`'s event, flags before or after it: `--file PATH`, a positional `-` (stdin) or
// JSON text; stdin when neither is given. Takes what it used out of `args`. Giving both a file
// and a positional event is a usage error, as is a file that cannot be read.
Result<std::string> take_event(std::vector<std::string>& args, std::istream& in);

}  // namespace tenantd::cli

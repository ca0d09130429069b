#include "app/cli.hpp"

#include <fstream>
#include <istream>
#include <iterator>
#include <sstream>
#include <utility>

namespace tenantd::cli {

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}
}  // namespace

std::string usage_line(const CommandSpec& command) {
  std::string out = "Usage: tenantd ";
  out += command.name;
  if (!command.synopsis.empty()) {
    out += ' ';
    out += command.synopsis;
  }
  out += '\n';
  return out;
}

std::string command_help(const CommandSpec& command, std::string_view settings_help) {
  std::string out = usage_line(command);
  out += '\n';
  out += command.summary;
  out += '\n';
  if (!command.details.empty()) {
    out += command.details;
    out += '\n';
  }
  out += "\nFlags:\n";
  std::vector<FlagSpec> flags = command.flags;
  flags.push_back({"-h, --help", "print this help"});
  for (const FlagSpec& flag : flags) {
    out += "  ";
    out += flag.flag;
    out += "\n      ";
    out += flag.help;
    out += '\n';
  }
  if (command.takes_settings) {
    out += "\nSettings (every setting of `tenantd serve`, as a flag or environment variable):\n";
    out += settings_help;
  }
  return out;
}

std::string overview(const std::vector<CommandSpec>& commands) {
  std::string out = "Usage: tenantd <command> [flags]\n\nCommands:\n";
  for (const CommandSpec& command : commands) {
    out += "  ";
    out += usage_line(command).substr(std::string_view("Usage: tenantd ").size());
    out += "      ";
    out += command.summary;
    out += '\n';
  }
  out +=
      "\n`tenantd <command> --help` describes a command and its flags. Every command but version\n"
      "also takes the settings of `serve` (flags or environment variables).\n";
  return out;
}

bool take_help(std::vector<std::string>& args) {
  const bool long_form = take_switch(args, "--help");
  const bool short_form = take_switch(args, "-h");
  return long_form || short_form;
}

Error usage_error(std::vector<FieldError> problems) {
  return Error{ErrorCode::ValidationError, "invalid arguments", std::move(problems), {}};
}

Result<std::optional<std::string>> take_flag(std::vector<std::string>& args,
                                             std::string_view name) {
  const std::string bare = "--" + std::string(name);
  const std::string with_eq = bare + "=";
  std::optional<std::string> value;
  std::vector<std::string> rest;
  rest.reserve(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == bare) {
      if (i + 1 >= args.size()) {
        return usage_error({{bare, "MISSING_VALUE", "needs a value"}});
      }
      value = args[++i];
    } else if (arg.rfind(with_eq, 0) == 0) {
      value = arg.substr(with_eq.size());
    } else {
      rest.push_back(arg);
    }
  }
  args = std::move(rest);
  return value;
}

bool take_switch(std::vector<std::string>& args, std::string_view name) {
  const std::size_t before = args.size();
  std::erase(args, std::string(name));
  return args.size() != before;
}

std::optional<std::string> take_positional(std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) == 0) {
      if (arg.find('=') == std::string::npos) {
        ++i;  // its value
      }
      continue;
    }
    std::string found = arg;
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    return found;
  }
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) {
      out.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string describe(const Error& error) {
  std::string out = error.message.empty() ? std::string(code_name(error.code)) : error.message;
  for (const auto& e : error.errors) {
    out += "\n  ";
    out += e.field;
    out += ": ";
    out += e.message;
  }
  return out;
}

Result<EventSource> take_event_source(std::vector<std::string>& args) {
  TENANTD_TRY_ASSIGN(auto file, take_flag(args, "file"));
  auto positional = take_positional(args);
  if (file && positional) {
    return usage_error({{"--file", "CONFLICT",
                         "give the event as --file PATH or as an argument, "
                         "not both"}});
  }
  EventSource source;
  source.file = std::move(file);
  if (positional && *positional != "-") {
    source.text = std::move(positional);
  }
  return source;
}

Result<std::string> read_event(const EventSource& source, std::istream& in) {
  auto read_all = [](std::istream& stream) {
    return std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  };
  if (source.file) {
    std::ifstream stream(*source.file, std::ios::binary);
    if (!stream) {
      return usage_error({{"--file", "UNREADABLE", "cannot read " + *source.file}});
    }
    return read_all(stream);
  }
  if (source.text) {
    return *source.text;
  }
  return read_all(in);
}

Result<std::string> take_event(std::vector<std::string>& args, std::istream& in) {
  TENANTD_TRY_ASSIGN(const EventSource source, take_event_source(args));
  return read_event(source, in);
}

std::string listen_url(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace tenantd::cli

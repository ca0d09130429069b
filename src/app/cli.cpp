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

Result<std::string> take_event(std::vector<std::string>& args, std::istream& in) {
  auto file = take_flag(args, "file");
  if (!file) {
    return std::move(file).error();
  }
  auto positional = take_positional(args);
  if (*file && positional) {
    return usage_error({{"--file", "CONFLICT",
                         "give the event as --file PATH or as an argument, "
                         "not both"}});
  }
  auto read_all = [](std::istream& stream) {
    return std::string(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  };
  if (*file) {
    std::ifstream stream(**file, std::ios::binary);
    if (!stream) {
      return usage_error({{"--file", "UNREADABLE", "cannot read " + **file}});
    }
    return read_all(stream);
  }
  if (!positional || *positional == "-") {
    return read_all(in);
  }
  return *positional;
}

std::string listen_url(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace tenantd::cli

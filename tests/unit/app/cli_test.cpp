#include "app/cli.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tenantd::cli {
namespace {

using Args = std::vector<std::string>;

TEST(CliTest, TakeFlagRemovesBothSpellingsAndReturnsTheLastValue) {
  Args args = {"--email", "a@b.c", "--port", "0", "--email=x@y.z"};
  const auto email = take_flag(args, "email");
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(email->value(), "x@y.z");
  EXPECT_EQ(args, (Args{"--port", "0"}));
}

TEST(CliTest, TakeFlagAbsentIsNullopt) {
  Args args = {"--port", "0"};
  const auto sub = take_flag(args, "sub");
  ASSERT_TRUE(sub.ok());
  EXPECT_FALSE(sub->has_value());
  EXPECT_EQ(args.size(), 2u);
}

TEST(CliTest, TakeFlagWithoutValueIsAnError) {
  Args args = {"--email"};
  const auto email = take_flag(args, "email");
  ASSERT_FALSE(email.ok());
  EXPECT_EQ(email.error().errors.at(0).field, "--email");
}

TEST(CliTest, TakeFlagDoesNotMatchALongerFlag) {
  Args args = {"--subject=1"};
  const auto sub = take_flag(args, "sub");
  ASSERT_TRUE(sub.ok());
  EXPECT_FALSE(sub->has_value());
  EXPECT_EQ(args.size(), 1u);
}

TEST(CliTest, TakePositionalSkipsFlagsAndTheirValues) {
  Args args = {"--data-dir", "dir", "--port=0", "evt-1", "extra"};
  EXPECT_EQ(take_positional(args), "evt-1");
  EXPECT_EQ(args, (Args{"--data-dir", "dir", "--port=0", "extra"}));
  Args none = {"--data-dir", "dir"};
  EXPECT_FALSE(take_positional(none).has_value());
}

TEST(CliTest, TakeSwitchRemovesEveryOccurrence) {
  Args args = {"--help", "--port", "1", "--help"};
  EXPECT_TRUE(take_switch(args, "--help"));
  EXPECT_EQ(args, (Args{"--port", "1"}));
  EXPECT_FALSE(take_switch(args, "--help"));
}

TEST(CliTest, SplitListTrimsAndDropsEmptyItems) {
  EXPECT_EQ(split_list(" a, b,,c "), (Args{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(CliTest, DescribeListsEveryFieldProblem) {
  const auto text = describe(usage_error(
      {{"--email", "REQUIRED", "is required"}, {"--ttl", "INVALID_VALUE", "must be positive"}}));
  EXPECT_EQ(text, "invalid arguments\n  --email: is required\n  --ttl: must be positive");
}

TEST(CliTest, ListenUrlBracketsIpv6) {
  EXPECT_EQ(listen_url("127.0.0.1", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(listen_url("::1", 80), "http://[::1]:80");
}

TEST(CliTest, TakeEventReadsTheArgumentStdinDashOrAFileWithFlagsAnywhere) {
  std::istringstream stdin_text("{\"from\":\"stdin\"}");
  Args positional = {"--data-dir", "dir", "{\"a\":1}", "--port=0"};
  EXPECT_EQ(take_event(positional, stdin_text).value(), "{\"a\":1}");
  EXPECT_EQ(positional, (Args{"--data-dir", "dir", "--port=0"}));
  Args dash = {"-", "--data-dir", "dir"};
  EXPECT_EQ(take_event(dash, stdin_text).value(), "{\"from\":\"stdin\"}");
  EXPECT_EQ(dash, (Args{"--data-dir", "dir"}));

  const std::string path = ::testing::TempDir() + "tenantd-cli-event.json";
  std::ofstream(path) << "{\"from\":\"file\"}";
  std::istringstream unused;
  Args file = {"--data-dir", "dir", "--file", path};
  EXPECT_EQ(take_event(file, unused).value(), "{\"from\":\"file\"}");
  EXPECT_EQ(file, (Args{"--data-dir", "dir"}));

  Args both = {"--file", path, "{}"};
  EXPECT_FALSE(take_event(both, unused).ok());
  Args missing = {"--file", path + ".absent"};
  EXPECT_FALSE(take_event(missing, unused).ok());
}

TEST(CliTest, TakeEventSourceReadsNothingUntilAsked) {
  Args args = {"--port", "0"};
  const auto source = take_event_source(args);
  ASSERT_TRUE(source.ok());
  EXPECT_FALSE(source->file.has_value());
  EXPECT_FALSE(source->text.has_value());  // stdin, read only by read_event
  std::istringstream stdin_text("{\"from\":\"stdin\"}");
  EXPECT_EQ(read_event(*source, stdin_text).value(), "{\"from\":\"stdin\"}");
}

CommandSpec example_command() {
  return {"token",          "--email EMAIL [flags]",         "Print a JWT.",
          "More about it.", {{"--email EMAIL", "the user"}}, true};
}

TEST(CliTest, CommandHelpListsTheUsageTheFlagsHelpAndTheSettings) {
  const std::string help = command_help(example_command(), "  --port PORT\n");
  EXPECT_EQ(help,
            "Usage: tenantd token --email EMAIL [flags]\n\nPrint a JWT.\nMore about it.\n\n"
            "Flags:\n  --email EMAIL\n      the user\n  -h, --help\n      print this help\n\n"
            "Settings (every setting of `tenantd serve`, as a flag or environment variable):\n"
            "  --port PORT\n");
  CommandSpec version{"version", "", "Print the version.", "", {}, false};
  EXPECT_EQ(usage_line(version), "Usage: tenantd version\n");
  EXPECT_EQ(command_help(version, "  --port PORT\n").find("--port"), std::string::npos);
}

TEST(CliTest, OverviewHasOneEntryPerCommand) {
  const std::string text = overview({example_command()});
  EXPECT_NE(text.find("  token --email EMAIL [flags]\n      Print a JWT.\n"), std::string::npos)
      << text;
}

TEST(CliTest, TakeHelpTakesBothSpellings) {
  Args args = {"-h", "--port", "0", "--help"};
  EXPECT_TRUE(take_help(args));
  EXPECT_EQ(args, (Args{"--port", "0"}));
  EXPECT_FALSE(take_help(args));
}

}  // namespace
}  // namespace tenantd::cli

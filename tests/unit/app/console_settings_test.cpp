// The console's settings (docs/console.md): PUBLIC_URL, the invitation link built on it, and
// the Cognito hosted UI domain.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "app/config.hpp"

namespace tenantd {
namespace {

class ConsoleSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kNames) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name, value->c_str(), 1);
      }
    }
  }

 private:
  static constexpr const char* kNames[] = {"PUBLIC_URL", "INVITE_URL_TEMPLATE", "COGNITO_DOMAIN"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST_F(ConsoleSettingsTest, TheDefaultInvitationLinkOpensTheConsoleOnThePublicUrl) {
  const Config defaults = load_config({}).value();
  EXPECT_EQ(defaults.public_url, "http://localhost:8080");
  EXPECT_EQ(defaults.invite_url_template,
            "http://localhost:8080/console/#/invitations/{invitationId}/accept?token={token}");
  const Config moved = load_config({"--public-url", "https://admin.example.com/"}).value();
  EXPECT_EQ(moved.public_url, "https://admin.example.com");  // no trailing slash
  EXPECT_EQ(moved.invite_url_template,
            "https://admin.example.com/console/#/invitations/{invitationId}/accept?token={token}");
}

TEST_F(ConsoleSettingsTest, AnExplicitInvitationTemplateIsKept) {
  const Config c = load_config({"--public-url", "https://a.example.com", "--invite-url-template",
                                "https://b.example.com/i/{invitationId}?t={token}"})
                       .value();
  EXPECT_EQ(c.invite_url_template, "https://b.example.com/i/{invitationId}?t={token}");
}

TEST_F(ConsoleSettingsTest, UrlsMustBeHttp) {
  for (const char* flag : {"--public-url", "--cognito-domain"}) {
    const auto bad = load_config({flag, "auth.example.com"});
    ASSERT_FALSE(bad.ok()) << flag;
    EXPECT_EQ(bad.error().errors.at(0).field, flag);
  }
  EXPECT_EQ(load_config({"--cognito-domain", "https://auth.example.com"}).value().cognito_domain,
            "https://auth.example.com");
}

}  // namespace
}  // namespace tenantd

#include "auth/local_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.hpp"

namespace tenantd::auth {
namespace {

namespace fs = std::filesystem;

class LocalKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tenantd-local-key-" + hex(random_bytes(8)));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string dir() const { return dir_.string(); }
  fs::path key_path() const { return dir_ / "jwt.key"; }

  fs::path dir_;
};

TEST_F(LocalKeyTest, CreatesDataDirAndRandomBase64UrlSecretWithOwnerOnlyMode) {
  const auto secret = load_or_create_secret(dir() + "/nested/deeper");
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(secret->size(), 43u);  // 32 bytes, base64url without padding
  const auto decoded = base64url_decode(*secret);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), 32u);

  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "nested/deeper/jwt.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LocalKeyTest, ReturnsTheSameSecretOnLaterCalls) {
  const auto first = load_or_create_secret(dir());
  const auto second = load_or_create_secret(dir());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST_F(LocalKeyTest, DifferentDirectoriesGetDifferentSecrets) {
  const auto a = load_or_create_secret(dir() + "/a");
  const auto b = load_or_create_secret(dir() + "/b");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(LocalKeyTest, ReadsAnOperatorProvidedKeyIgnoringSurroundingWhitespace) {
  fs::create_directories(dir_);
  std::ofstream(key_path()) << "  my-own-secret-of-at-least-32-bytes\n\n";
  const auto secret = load_or_create_secret(dir());
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, "my-own-secret-of-at-least-32-bytes");
}

TEST_F(LocalKeyTest, RefusesAKeyFileUnder32BytesNamingIt) {
  fs::create_directories(dir_);
  std::ofstream(key_path()) << "k";  // one byte: once accepted as the HS256 key
  const auto secret = load_or_create_secret(dir());
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.error().message.find(key_path().string()), std::string::npos)
      << secret.error().message;
  EXPECT_NE(secret.error().message.find("at least 32"), std::string::npos);
}

TEST_F(LocalKeyTest, RefusesAnEmptyKeyFile) {
  fs::create_directories(dir_);
  std::ofstream(key_path()) << "\n";
  const auto secret = load_or_create_secret(dir());
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code, ErrorCode::InternalError);
}

TEST_F(LocalKeyTest, FailsWhenTheDataDirIsAFile) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  const auto secret = load_or_create_secret((dir_ / "file").string());
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.error().message.find("file"), std::string::npos);
}

TEST_F(LocalKeyTest, RacingCreatorsAllEndUpWithOneSecretAndNoTempFiles) {
  for (int round = 0; round < 5; ++round) {
    const std::string d = dir() + "/race" + std::to_string(round);
    std::vector<std::string> results(8);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t) {
      threads.emplace_back([&, t] {
        auto r = load_or_create_secret(d);
        results[t] = r.ok() ? *r : "error: " + r.error().message;
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    EXPECT_EQ(std::set<std::string>(results.begin(), results.end()).size(), 1u) << results[0];
    EXPECT_EQ(results[0].size(), 43u) << results[0];
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(d)) {
      ++files;
    }
    EXPECT_EQ(files, 1u);
  }
}

}  // namespace
}  // namespace tenantd::auth

#pragma once
// Who is calling: taken from verified token claims (docs/auth.md).
#include <string>
#include <vector>

namespace tenantd {

struct Principal {
  std::string sub;    // the userId
  std::string email;  // lower-case
  std::vector<std::string> groups;

  // How audit entries and events name the caller: the e-mail, else the userId.
  const std::string& actor() const { return email.empty() ? sub : email; }

  bool in_group(const std::string& group) const {
    for (const auto& g : groups) {
      if (g == group) {
        return true;
      }
    }
    return false;
  }
  bool platform_admin() const { return in_group("platform-admins"); }
  bool platform_operator() const { return in_group("platform-operators"); }
  bool platform_staff() const { return platform_admin() || platform_operator(); }
  bool system() const { return in_group("system"); }
};

}  // namespace tenantd

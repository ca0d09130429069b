// Rendering of the tenant Terraform templates (provision/gitops_render): placeholder rules,
// HCL escaping, the bbws:* tags, and the real templates of deploy/tenant-template.
#include "provision/gitops_render.hpp"

#include "core/build_info.hpp"

#include <gtest/gtest.h>

namespace tenantd::provision {
namespace {

domain::Instance sample_instance() {
  domain::Instance i;
  i.instance_id = "inst-1";
  i.tenant_id = "ten-1";
  i.organization_name = "Acme \"Blue\" ${evil}";
  i.opportunity_id = "opp-7";
  i.tier = domain::Tier::Professional;
  i.configuration.desired_count = 3;
  i.configuration.wordpress_version = "6.5";
  i.configuration.php_version = "8.3";
  i.environment = "sit";
  i.domain = "inst-1.sit.bbws.local";
  return i;
}

TEST(GitopsRender, ReplacesPlaceholdersAndKeepsLiteralMarks) {
  const TemplateValues values{{"a", "1"}, {"b", "two"}};
  auto out = render_template("x=@@a@@ y=@@b@@ z=@@@@ ${{ inputs.action }}", values);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "x=1 y=two z=@@ ${{ inputs.action }}");
}

TEST(GitopsRender, UnknownPlaceholderIsAnError) {
  auto out = render_template("name = \"@@tenant@@\"", TemplateValues{{"tenant_id", "t"}});
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("@@tenant@@"), std::string::npos);
}

TEST(GitopsRender, UnterminatedPlaceholderIsAnError) {
  EXPECT_FALSE(render_template("a @@tenant_id", TemplateValues{{"tenant_id", "t"}}));
}

TEST(GitopsRender, HclEscapeNeutralisesQuotesAndTemplateSequences) {
  EXPECT_EQ(hcl_escape(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(hcl_escape("${x} %{y} $z"), "$${x} %%{y} $z");
  EXPECT_EQ(hcl_escape("l1\nl2"), "l1\\nl2");
}

TEST(GitopsRender, ValuesCarryTheBbwsTagsAndTierSize) {
  const auto v = tenant_values(sample_instance());
  EXPECT_EQ(v.at("cpu"), "1024");
  EXPECT_EQ(v.at("memory"), "2048");
  EXPECT_EQ(v.at("desired_count"), "3");
  EXPECT_EQ(v.at("organization_name"), "Acme \\\"Blue\\\" $${evil}");
  const std::string& tags = v.at("tags");
  EXPECT_NE(tags.find("\"bbws:tenant-id\" = \"ten-1\""), std::string::npos);
  EXPECT_NE(tags.find("\"bbws:environment\" = \"sit\""), std::string::npos);
  EXPECT_NE(tags.find("\"bbws:component\" = \"wordpress\""), std::string::npos);
  EXPECT_NE(tags.find("\"bbws:managed-by\" = \"tenantd-gitops\""), std::string::npos);
  EXPECT_NE(tags.find("\"bbws:opportunity\" = \"opp-7\""), std::string::npos);
}

TEST(GitopsRender, OpportunityTagOnlyWhenGiven) {
  auto i = sample_instance();
  i.opportunity_id.reset();
  EXPECT_EQ(tenant_values(i).at("tags").find("bbws:opportunity"), std::string::npos);
}

TEST(GitopsRender, RepositoryTemplatesRenderCompletely) {
  auto templates = load_templates(build_info::kTemplateDir);
  ASSERT_TRUE(templates) << templates.error().message;
  auto files = render_tenant(*templates, sample_instance());
  ASSERT_TRUE(files) << files.error().message;
  std::map<std::string, std::string> by_path;
  for (const auto& f : *files) {
    EXPECT_EQ(f.content.find("@@"), std::string::npos) << f.path << " kept a placeholder";
    by_path[f.path] = f.content;
  }
  for (const char* name : {"main.tf", "ecs.tf", "efs.tf", "alb.tf", "database.tf"}) {
    EXPECT_EQ(by_path.count(std::string("tenants/ten-1/") + name), 1U) << name;
  }
  ASSERT_EQ(by_path.count(".github/workflows/deploy-tenant-ten-1.yml"), 1U);
  const std::string& ecs = by_path["tenants/ten-1/ecs.tf"];
  EXPECT_NE(ecs.find("desired_count   = 3"), std::string::npos);
  EXPECT_NE(ecs.find("wordpress:6.5-php8.3-apache"), std::string::npos);
  EXPECT_NE(by_path["tenants/ten-1/main.tf"].find("service_name  = \"tenant-ten-1-wordpress\""),
            std::string::npos);
  EXPECT_NE(by_path["tenants/ten-1/main.tf"].find("cluster_name  = \"bbws-cluster-sit\""),
            std::string::npos);
  // GitHub's own ${{ }} expressions pass through untouched.
  EXPECT_NE(by_path[".github/workflows/deploy-tenant-ten-1.yml"].find("${{ inputs.action }}"),
            std::string::npos);
}

TEST(GitopsRender, MissingTemplateDirectoryIsAnError) {
  EXPECT_FALSE(load_templates("/nonexistent/tenant-template"));
}

}  // namespace
}  // namespace tenantd::provision

locals {
  database_name = "wp_@@tenant_id@@"
}

resource "random_password" "database" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "database" {
  name = "bbws/@@environment@@/tenants/@@tenant_id@@/database"
  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id = aws_secretsmanager_secret.database.id
  secret_string = jsonencode({
    username = local.database_name
    password = random_password.database.result
    database = local.database_name
  })
}

# The database itself is created on the shared cluster by the workflow's bootstrap step
# (mysql client with the admin secret), named after local.database_name.

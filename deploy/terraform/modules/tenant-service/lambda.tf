locals {
  name       = "bbws-tenant-instance-management-${var.environment}"
  alias_name = "latest-${var.environment}"
  tables     = ["tenants", "instances", "invitations", "control"]
  region     = data.aws_region.current.name
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = var.log_retention_days
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${local.name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

# Exactly what the handler calls: its tables and indexes, the two event sinks, the ECS tags of
# instance services, the Cognito directory, and its own logs.
data "aws_iam_policy_document" "lambda" {
  statement {
    actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
      "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable"]
    resources = flatten([for t in aws_dynamodb_table.data : [t.arn, "${t.arn}/index/*"]])
  }
  statement {
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.tenant.arn]
  }
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.notifications.arn]
  }
  statement {
    actions   = ["ecs:ListTagsForResource"]
    resources = ["*"]
  }
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.service.arn]
  }
  statement {
    actions   = ["cognito-idp:ListUsers"]
    resources = ["arn:aws:cognito-idp:${local.region}:${data.aws_caller_identity.current.account_id}:userpool/${var.cognito_user_pool_id}"]
  }
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }
}

# SERVICE_SECRET_ARN: every instance keys page tokens and seals outbox events with this secret
# (docs/decisions/0015). Generated once; rotating it is a deliberate act, not an apply.
data "aws_secretsmanager_random_password" "service" {
  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "service" {
  name = "bbws-tenant-service-secret-${var.environment}"
}

resource "aws_secretsmanager_secret_version" "service" {
  secret_id     = aws_secretsmanager_secret.service.id
  secret_string = data.aws_secretsmanager_random_password.service.random_password
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_iam_role_policy" "lambda" {
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_lambda_function" "api" {
  function_name = local.name
  role          = aws_iam_role.lambda.arn
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = [var.architecture]
  memory_size   = var.memory_mb
  timeout       = var.timeout_seconds
  filename      = var.initial_package
  publish       = true

  environment {
    variables = merge({
      ENVIRONMENT          = var.environment
      STORE                = "dynamodb"
      AUTH_MODE            = "cognito"
      DIRECTORY            = "cognito"
      COGNITO_ISSUER       = "https://cognito-idp.${local.region}.amazonaws.com/${var.cognito_user_pool_id}"
      COGNITO_CLIENT_ID    = var.cognito_client_id
      COGNITO_USER_POOL_ID = var.cognito_user_pool_id
      EVENT_SINKS          = "eventbridge,sns"
      EVENT_BUS_NAME       = aws_cloudwatch_event_bus.tenant.name
      SNS_TOPIC_ARN        = aws_sns_topic.notifications.arn
      SERVICE_SECRET_ARN   = aws_secretsmanager_secret.service.arn
      PROVISIONER          = "events"
      LOG_LEVEL            = "info"
      }, { for name, value in {
        PUBLIC_URL     = var.public_url     # the console and the invitation links
        COGNITO_DOMAIN = var.cognito_domain # the console's sign-in (hosted UI + PKCE)
    } : name => value if value != "" }, var.extra_environment)
  }

  # The release scripts own the code from here on (update, publish, alias); Terraform must not
  # put the first package back on every apply.
  lifecycle {
    ignore_changes = [filename, source_code_hash]
  }
  depends_on = [aws_cloudwatch_log_group.lambda, aws_iam_role_policy.lambda]
}

resource "aws_lambda_alias" "latest" {
  name             = local.alias_name
  function_name    = aws_lambda_function.api.function_name
  function_version = aws_lambda_function.api.version
  lifecycle {
    ignore_changes = [function_version] # moved by scripts/release
  }
}

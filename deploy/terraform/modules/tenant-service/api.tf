# REST API bbws-tenant-api-{env}: every path goes to the latest-{env} alias (proxy integration)
# behind the Cognito authoriser, except GET /health, which is open for probes and smoke tests,
# and GET /console and /console/{proxy+}: the admin console's files (docs/console.md), which
# every browser must load before it can sign in; the console's API calls carry the token.
resource "aws_api_gateway_rest_api" "api" {
  name = "bbws-tenant-api-${var.environment}"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_authorizer" "cognito" {
  name          = "bbws-user-pool-${var.environment}"
  rest_api_id   = aws_api_gateway_rest_api.api.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = ["arn:aws:cognito-idp:${local.region}:${data.aws_caller_identity.current.account_id}:userpool/${var.cognito_user_pool_id}"]
}

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_resource" "health" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "health"
}

resource "aws_api_gateway_resource" "console" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "console"
}

resource "aws_api_gateway_resource" "console_files" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.console.id
  path_part   = "{proxy+}"
}

locals {
  # resource id => authorisation: the proxy needs a Cognito token, /health and the console's
  # files do not.
  routes = {
    proxy         = { resource = aws_api_gateway_resource.proxy.id, method = "ANY", open = false }
    health        = { resource = aws_api_gateway_resource.health.id, method = "GET", open = true }
    console       = { resource = aws_api_gateway_resource.console.id, method = "GET", open = true }
    console_files = { resource = aws_api_gateway_resource.console_files.id, method = "GET", open = true }
  }
  alias_invoke_arn = "arn:aws:apigateway:${local.region}:lambda:path/2015-03-31/functions/${aws_lambda_alias.latest.arn}/invocations"
}

resource "aws_api_gateway_method" "route" {
  for_each      = local.routes
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = each.value.resource
  http_method   = each.value.method
  authorization = each.value.open ? "NONE" : "COGNITO_USER_POOLS"
  authorizer_id = each.value.open ? null : aws_api_gateway_authorizer.cognito.id
}

resource "aws_api_gateway_integration" "route" {
  for_each                = local.routes
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = each.value.resource
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.alias_invoke_arn
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers = {
    redeploy = sha1(jsonencode([aws_api_gateway_method.route, aws_api_gateway_integration.route]))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "api" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = var.environment
}

resource "aws_lambda_permission" "api" {
  statement_id  = "apigateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  qualifier     = aws_lambda_alias.latest.name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/*"
}

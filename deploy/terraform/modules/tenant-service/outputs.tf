output "function_name" {
  value = aws_lambda_function.api.function_name
}

output "alias_arn" {
  value = aws_lambda_alias.latest.arn
}

output "api_url" {
  value = aws_api_gateway_stage.api.invoke_url
}

output "deployments_table" {
  value = aws_dynamodb_table.deployments.name
}
